// One check over real clients: a configuration for a temporary repository, with the emulator as its
// Cloud Run endpoint, read by the real reader and real git, as the verdict suites set themselves up.
import { checkServices } from '../../src/core/check';
import { createCloudRunReader, type CloudRunReader } from '../../src/core/google/cloudrun';
import { parseConfig, type DriftConfig } from '../../src/core/config';
import { GitRepository } from '../../src/core/git/repository';
import type { CheckResult } from '../../src/core/model';
import type { RunningEmulator } from '../../src/emulator/server';
import type { TempRepo } from './repo';

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
