// `npm run demo [-- --dir DIR [--replace]] [--port N] [--open]`: builds the demo workspace (a git monorepo whose
// prediction-coordinator is 53 commits behind in Cloud Run, and whose phase5b-grading function's last build
// failed), starts the local emulator seeded to
// match, runs `cloud-run-drift check` in it, and keeps the emulator up until Ctrl-C. `--open` also
// serves the workspace in a real VS Code (the server build .ci/install-e2e.sh installs) with the
// packaged extension, on 127.0.0.1, and prints its URL.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openDemoInBrowserEditor, type OpenedEditor } from './demo/open-editor';
import { buildDemoWorkspace, DEMO_GRADING_CLOUD_RUN_JOB, type DemoWorkspace } from './demo/workspace';
import { startEmulator, type ModuleSelection, type RunningEmulator } from './server';

export { buildDemoWorkspace, loadDemoScenario, type DemoWorkspace, type DemoServiceState, type DemoEndpoints } from './demo/workspace';

const REPO_ROOT = path.resolve(__dirname, '../..');
export const CLI_PATH = path.join(REPO_ROOT, 'dist', 'cli.js');

export interface StartDemoOptions {
  /** Workspace directory (new or empty); default a new folder under the system temp dir. */
  dir?: string;
  /** A workspace the demo built earlier in `dir` is replaced (BuildDemoOptions.replace). */
  replace?: boolean;
  /** Emulator HTTP port; default 8123, falling back to a free port when it is taken. 0 = free port. */
  port?: number;
  grpcPort?: number;
  /** Which emulated APIs to run; tests that only deploy leave Logging and BigQuery out. */
  modules?: ModuleSelection;
}

export interface RunningDemo {
  workspace: DemoWorkspace;
  emulator: RunningEmulator;
  /** Stops the emulator (the workspace stays on disk). */
  close(): Promise<void>;
}

/**
 * Starts the emulator, builds the workspace pointing at it and loads the matching scenario.
 * POST /control/reset on the emulator returns to this seeded state.
 */
export async function startDemo(options: StartDemoOptions = {}): Promise<RunningDemo> {
  const emulator = await startEmulatorPreferringPort(options.port ?? 8123, options.grpcPort ?? 0, options.modules);
  try {
    const workspace = await buildDemoWorkspace({
      dir: options.dir,
      replace: options.replace ?? false,
      endpoints: { run: emulator.httpUrl, logging: emulator.grpcAddress || undefined, bigquery: emulator.httpUrl },
    });
    await emulator.control('load', workspace.scenario);
    return { workspace, emulator, close: () => emulator.close() };
  } catch (err) {
    await emulator.close();
    throw err;
  }
}

async function startEmulatorPreferringPort(port: number, grpcPort: number, modules: ModuleSelection | undefined): Promise<RunningEmulator> {
  try {
    return await startEmulator({ scenario: {}, port, grpcPort, modules });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0) throw err;
    process.stderr.write(`demo: port ${port} is taken; using a free port instead\n`);
    return startEmulator({ scenario: {}, port: 0, grpcPort, modules });
  }
}

interface DemoArguments {
  dir?: string;
  replace: boolean;
  port?: number;
  open: boolean;
}

function parseArguments(argv: readonly string[]): DemoArguments | string {
  const args: DemoArguments = { open: false, replace: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--open') args.open = true;
    else if (arg === '--replace') args.replace = true;
    else if (arg === '--dir') {
      const value = argv[++i];
      if (!value) return '--dir expects a directory';
      args.dir = value;
    } else if (arg === '--port') {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < 0 || value > 65535) return '--port expects a port number from 0 to 65535';
      args.port = value;
    } else if (arg === '--help' || arg === '-h') return 'help';
    else return `unknown argument ${JSON.stringify(arg)}`;
  }
  if (args.replace && args.dir === undefined) return '--replace needs --dir (the workspace to replace)';
  return args;
}

const USAGE = 'Usage: npm run demo [-- --dir DIR [--replace]] [--port N] [--open]';

async function main(argv: readonly string[]): Promise<number> {
  const args = parseArguments(argv);
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (typeof args === 'string') {
    process.stderr.write(`demo: ${args}\n${USAGE}\n`);
    return 2;
  }

  let demo: RunningDemo;
  try {
    demo = await startDemo({ dir: args.dir, replace: args.replace, port: args.port });
  } catch (err) {
    process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  const { workspace, emulator } = demo;
  const coordinator = workspace.services.find((s) => s.name === 'prediction-coordinator');
  const backfill = workspace.jobs.find((j) => j.executions.length > 0);
  const gradingJob = workspace.jobs.find((j) => j.grades);
  const out = (line = ''): void => void process.stdout.write(`${line}\n`);

  out(`Demo workspace: ${workspace.dir}`);
  out(`  git repository, ${workspace.commitCount} commits, HEAD ${workspace.headShort}`);
  out(`  prediction-coordinator serves ${coordinator?.servingRevision} built from ${coordinator?.deployedShort}, ${coordinator?.commitsBehind} commits behind`);
  if (backfill) out(`  Cloud Run job ${backfill.name} runs ${backfill.deployedShort}, ${backfill.commitsBehind} commits behind; its last execution failed`);
  if (gradingJob) out(`  Cloud Run job ${gradingJob.name} (the grading backfill, run in the emulator) runs ${gradingJob.deployedShort}, ${gradingJob.commitsBehind} commit${gradingJob.commitsBehind === 1 ? '' : 's'} behind`);
  out(`Emulator: ${emulator.httpUrl} (Cloud Run, Cloud Functions, BigQuery, /control)${emulator.grpcAddress ? `, Logging gRPC ${emulator.grpcAddress}` : ''}`);
  out();

  if (fs.existsSync(CLI_PATH)) {
    out(`$ cloud-run-drift check`);
    // Asynchronously: the emulator answering the CLI lives in this very process.
    const code = await runCli(['check'], workspace.dir);
    out(`(exit ${code ?? '?'})`);
  } else {
    out(`(${CLI_PATH} is missing: run \`npm run build\` to see the CLI's verdict here)`);
  }
  out();
  const { rollback } = workspace;
  out('Open it in VS Code with the extension:');
  out(`  code --extensionDevelopmentPath=${REPO_ROOT} ${workspace.dir}`);
  out(`  Roll back: ${rollback.service} › Deployments › ${rollback.previous.name}, Route All Traffic Here. The confirmation lists the commits that would`);
  out('  stop being served; the result says when the revision serves all traffic, and its Undo routes the traffic back.');
  out('Try in the workspace:');
  out(`  cd ${workspace.dir}`);
  out('  ./bin/deploy-service.sh prediction-coordinator && node ' + CLI_PATH + ' check');
  out('  DEMO_DEPLOY_FAULT=label-unchanged ./bin/deploy-service.sh prediction-coordinator   # "succeeds", label unchanged');
  out('  DEMO_DEPLOY_FAULT=revision-fails ./bin/deploy-service.sh prediction-coordinator    # "succeeds", revision never ready');
  if (backfill) out(`  ./bin/deploy-service.sh ${backfill.name}   # a Cloud Run job: a new template`);
  if (gradingJob) out(`  ./bin/deploy-service.sh ${gradingJob.name}   # the grading backfill's Cloud Run job: up to date after this`);
  if (gradingJob) out(`  node ${CLI_PATH} job ${DEMO_GRADING_CLOUD_RUN_JOB} --start-date 2026-01-27 --end-date 2026-01-28   # executes it: "Deploy the job first" until then`);
  out('  ./bin/deploy-service.sh phase5b-grading   # a Cloud Run function: its build failed last time');
  out('  DEMO_DEPLOY_FAULT=build-fails ./bin/deploy-service.sh phase3-to-phase4-orchestrator   # "succeeds", build failed');
  out(`  node ${CLI_PATH} rollback ${rollback.service} --to ${rollback.previous.name}   # the commits it would stop serving, y/N, then proof`);
  out(`  node ${CLI_PATH} rollback ${rollback.service} --to ${rollback.serving.name} --yes   # and back`);
  out(`  curl -X POST ${emulator.httpUrl}/control/reset   # back to the seeded state`);

  let editor: OpenedEditor | undefined;
  if (args.open) {
    try {
      editor = await openDemoInBrowserEditor(workspace.dir, out);
      out(`VS Code with Cloud Run Drift: ${editor.url}`);
    } catch (err) {
      process.stderr.write(`demo: --open needs the real-editor setup (bash .ci/install-e2e.sh): ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }

  out();
  // The handlers go in before the line that invites Ctrl-C: a reader (or a test) acting on it at once
  // must not meet Node's default disposition, which kills the process without closing the emulator.
  const stopped = new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      Promise.all([demo.close(), editor?.stop()]).then(
        () => resolve(0),
        (err: unknown) => {
          process.stderr.write(`demo: error while stopping: ${String(err)}\n`);
          resolve(1);
        },
      );
    };
    // `on`, not `once`: a second Ctrl-C while closing must not fall through to the default (kill).
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  out('Press Ctrl-C to stop the emulator (the workspace stays on disk).');
  return stopped;
}

/** Runs the built CLI in `cwd`, its output going straight to ours; resolves its exit code. */
function runCli(args: string[], cwd: string): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', (err) => {
      process.stderr.write(`demo: cannot run the CLI: ${err.message}\n`);
      resolve(null);
    });
    child.on('close', (code) => resolve(code));
  });
}

/** Opens a VS Code window on the workspace with this checkout as the extension under development. */
if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`demo: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
