// The emulator as the Cloud Run suites set it up (one project and region, Run and Functions only,
// a real reader against it), one check over real clients (a configuration for a temporary
// repository read by the real reader and real git), and the teardown of what they started.
import { checkServices } from '../../src/core/check';
import { createCloudRunReader, type CloudRunReader } from '../../src/core/google/cloudrun';
import { parseConfig, type DriftConfig } from '../../src/core/config';
import { GitRepository } from '../../src/core/git/repository';
import type { CheckResult } from '../../src/core/model';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import type { ScenarioService } from '../../src/emulator/scenario';
import type { TempRepo } from './repo';

export interface RunEmulatorSeed {
  /** The project and region of every service, job and function below that names none. */
  project: string;
  region: string;
  /** Cloud Run services, as the scenario's `run.services` holds them. */
  services?: (ScenarioService | Record<string, unknown>)[];
  /** Cloud Run jobs, as the scenario's `run.jobs` holds them. */
  jobs?: Record<string, unknown>[];
  /** Cloud Run functions, as the scenario's `functions.functions` holds them. */
  functions?: Record<string, unknown>[];
  /** The emulator's clock starts here (default: real time). */
  now?: string;
}

/** The emulator, with a real reader against it; close() closes the reader, then the emulator. */
export interface RunEmulator extends RunningEmulator {
  /** The real reader, with the emulator as its Cloud Run endpoint (and Functions endpoint, when functions are seeded). */
  reader: CloudRunReader;
}

/**
 * Starts the emulator on a free port of 127.0.0.1 with Cloud Run and Cloud Functions only (no
 * Logging, no BigQuery), seeded with `seed`, and a reader against it; the caller closes them
 * (close, or releaseAll).
 */
export async function startRunEmulator(seed: RunEmulatorSeed): Promise<RunEmulator> {
  const { project, region, services, jobs, functions, now } = seed;
  const emulator = await startEmulator({
    port: 0,
    modules: { logging: false, bigquery: false },
    scenario: {
      ...(now === undefined ? {} : { now }),
      run: { project, region, ...(services ? { services } : {}), ...(jobs ? { jobs } : {}) },
      ...(functions ? { functions: { project, region, functions } } : {}),
    },
  });
  const reader = createCloudRunReader(functions ? { run: emulator.httpUrl, functions: emulator.httpUrl } : { run: emulator.httpUrl });
  return { ...emulator, reader, close: () => releaseAll(reader, emulator) };
}

export interface EmulatorCheck {
  config: DriftConfig;
  reader: CloudRunReader;
  result: CheckResult;
}

/**
 * Parses `settings` (the configuration file's content, without `endpoints.run`, which is the
 * emulator's) as `<repo>/cloud-run-drift.json`, and checks every unit with a new reader; the caller
 * closes the reader (releaseAll).
 */
export async function checkAgainstEmulator(repo: TempRepo, emulator: RunningEmulator, settings: Record<string, unknown> & { endpoints?: Record<string, string> }): Promise<EmulatorCheck> {
  const config = parseConfig(JSON.stringify({ ...settings, endpoints: { run: emulator.httpUrl, ...settings.endpoints } }), `${repo.dir}/cloud-run-drift.json`);
  const reader = createCloudRunReader(config.endpoints);
  const result = await checkServices(config, { reader, git: await GitRepository.open(repo.dir) });
  return { config, reader, result };
}

/** Closes readers and emulators and removes temporary repositories, in order; a missing one (setup failed before it) is skipped. */
export async function releaseAll(...resources: ({ close(): Promise<unknown> } | Pick<TempRepo, 'cleanup'> | undefined)[]): Promise<void> {
  for (const resource of resources) {
    if (!resource) continue;
    if ('close' in resource) await resource.close();
    else resource.cleanup();
  }
}
