// The folders the editor opens, and the emulator they point at. The emulator runs in the driver's
// process; the extension in the editor reaches it over 127.0.0.1 like any client.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildDemoWorkspace, type DemoWorkspace } from '../../../src/emulator/demo/workspace';
import type { ScenarioService } from '../../../src/emulator/scenario';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/server';
import type { FolderKind, MultiRootFacts } from '../shared';

export interface Folders {
  emulator: RunningEmulator;
  demo: DemoWorkspace;
  multiRoot: MultiRootFacts;
  /** The folder each kind opens (for `multi-root`, its .code-workspace file). */
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

const REGION = 'us-west2';

/**
 * A multi-root workspace (a .code-workspace file): two small repositories with a configuration each,
 * both with a service named `api` (in their own projects), and a folder without one. In `Shop`, `web`
 * changed after its deploy (stale, 1 behind); everything else serves its repository's HEAD. Returns
 * the Cloud Run services the emulator must serve for that.
 */
function buildMultiRoot(base: string, runEndpoint: string): { facts: MultiRootFacts; services: ScenarioService[] } {
  const dir = path.join(base, 'multi-root');
  const services: ScenarioService[] = [];
  const repos: MultiRootFacts['repos'] = [];
  const specs = [
    { folder: 'shop', name: 'Shop', project: 'shop-project', services: ['api', 'web'], changedAfterDeploy: 'web' },
    { folder: 'billing', name: 'Billing', project: 'billing-project', services: ['api', 'invoices'], changedAfterDeploy: null },
  ];
  for (const spec of specs) {
    const repoDir = path.join(dir, spec.folder);
    const config = {
      project: spec.project,
      region: REGION,
      services: Object.fromEntries(spec.services.map((name) => [name, { paths: [name] }])),
      endpoints: { run: runEndpoint },
    };
    const files: Record<string, string> = { 'cloud-run-drift.json': `${JSON.stringify(config, null, 2)}\n`, 'README.md': `# ${spec.name}\n` };
    for (const name of spec.services) files[`${name}/main.py`] = `print("${spec.folder} ${name}")\n`;
    gitRepo(repoDir, files);
    const deployed = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repoDir, encoding: 'utf8' }).trim();
    if (spec.changedAfterDeploy) {
      fs.appendFileSync(path.join(repoDir, spec.changedAfterDeploy, 'main.py'), '# changed after the deploy\n');
      execFileSync('git', ['-c', 'commit.gpgsign=false', 'commit', '-q', '-am', `Change ${spec.changedAfterDeploy}`], { cwd: repoDir, env: { ...process.env, ...GIT_IDENTITY }, stdio: 'ignore' });
    }
    for (const name of spec.services) {
      services.push({ project: spec.project, region: REGION, name, revisions: [{ name: `${name}-00001-${spec.folder.slice(0, 3)}`, labels: { 'commit-sha': deployed } }] });
    }
    repos.push({
      name: spec.name,
      dir: fs.realpathSync(repoDir),
      project: spec.project,
      services: spec.services.map((name) => ({ name, deployedCommit: deployed, status: name === spec.changedAfterDeploy ? 'stale' : 'up-to-date' })),
    });
  }
  const plain = path.join(dir, 'notes');
  fs.mkdirSync(plain, { recursive: true });
  fs.writeFileSync(path.join(plain, 'README.md'), '# Notes: no Cloud Run Drift configuration here\n');
  const workspaceFile = path.join(dir, 'multi-root.code-workspace');
  const folders = [...specs.map((spec) => ({ path: spec.folder, name: spec.name })), { path: 'notes', name: 'Notes' }];
  fs.writeFileSync(workspaceFile, `${JSON.stringify({ folders, settings: {} }, null, 2)}\n`);
  return { facts: { workspaceFile: fs.realpathSync(workspaceFile), repos, plainDir: fs.realpathSync(plain) }, services };
}

/**
 * The emulator on a free port, seeded by the demo workspace built against it; plus a minimal
 * repository (one service, svc-a), one without any cloud-run-drift.json, and a multi-root workspace.
 */
export async function prepareFolders(base: string): Promise<Folders> {
  const emulator = await startEmulator({ scenario: {}, port: 0 });
  try {
    const demoDir = path.join(base, 'demo-workspace');
    const demo = await buildDemoWorkspace({
      dir: demoDir,
      endpoints: { run: emulator.httpUrl, bigquery: emulator.httpUrl, ...(emulator.grpcAddress ? { logging: emulator.grpcAddress } : {}) },
    });
    const multiRoot = buildMultiRoot(base, emulator.httpUrl);
    // One scenario for every folder (POST /control/reset returns to it): the demo's and the multi-root repositories' services.
    const scenario = { ...demo.scenario, run: { ...demo.scenario.run, services: [...(demo.scenario.run?.services ?? []), ...multiRoot.services] } };
    await emulator.control('load', scenario);

    const minimal = path.join(base, 'minimal-workspace');
    const config = { project: 'demo-project', region: 'us-west2', services: { 'svc-a': {} }, endpoints: { run: emulator.httpUrl } };
    gitRepo(minimal, { 'cloud-run-drift.json': `${JSON.stringify(config, null, 2)}\n`, 'README.md': '# minimal\n' });

    const empty = path.join(base, 'empty-workspace');
    gitRepo(empty, { 'README.md': '# no Cloud Run Drift configuration here\n' });

    return {
      emulator,
      demo,
      multiRoot: multiRoot.facts,
      dirs: { demo: fs.realpathSync(demo.dir), minimal: fs.realpathSync(minimal), empty: fs.realpathSync(empty), 'multi-root': multiRoot.facts.workspaceFile },
    };
  } catch (err) {
    await emulator.close();
    throw err;
  }
}
