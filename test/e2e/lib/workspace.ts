// The folders the editor opens, and the emulator they point at. The emulator runs in the driver's
// process; the extension in the editor reaches it over 127.0.0.1 like any client.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildDemoWorkspace, loadDemoScenario, type DemoWorkspace } from '../../../src/emulator/demo/workspace';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/server';
import type { FolderKind } from '../shared';

export interface Folders {
  emulator: RunningEmulator;
  demo: DemoWorkspace;
  dirs: Record<FolderKind, string>;
}

const GIT_IDENTITY = { GIT_AUTHOR_NAME: 'E2E Test', GIT_AUTHOR_EMAIL: 'e2e@example.com', GIT_COMMITTER_NAME: 'E2E Test', GIT_COMMITTER_EMAIL: 'e2e@example.com' };

function gitRepo(dir: string, files: Record<string, string>): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  const git = (...args: string[]): void => {
    execFileSync('git', args, { cwd: dir, env: { ...process.env, ...GIT_IDENTITY }, stdio: 'ignore' });
  };
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'Initial commit');
}

/**
 * The emulator on a free port, seeded by the demo workspace built against it; plus a minimal
 * repository (one service, svc-a) and one without any cloud-run-drift.json.
 */
export async function prepareFolders(base: string): Promise<Folders> {
  const emulator = await startEmulator({ scenario: {}, port: 0 });
  try {
    const demoDir = path.join(base, 'demo-workspace');
    const demo = await buildDemoWorkspace({
      dir: demoDir,
      endpoints: { run: emulator.httpUrl, bigquery: emulator.httpUrl, ...(emulator.grpcAddress ? { logging: emulator.grpcAddress } : {}) },
    });
    await loadDemoScenario(emulator.httpUrl, demo);

    const minimal = path.join(base, 'minimal-workspace');
    const config = { project: 'demo-project', region: 'us-west2', services: { 'svc-a': {} }, endpoints: { run: emulator.httpUrl } };
    gitRepo(minimal, { 'cloud-run-drift.json': `${JSON.stringify(config, null, 2)}\n`, 'README.md': '# minimal\n' });

    const empty = path.join(base, 'empty-workspace');
    gitRepo(empty, { 'README.md': '# no Cloud Run Drift configuration here\n' });

    return { emulator, demo, dirs: { demo: fs.realpathSync(demo.dir), minimal: fs.realpathSync(minimal), empty: fs.realpathSync(empty) } };
  } catch (err) {
    await emulator.close();
    throw err;
  }
}
