// The built CLI (dist/cli.js, as shipped) against the emulator and real git: output, JSON, exit codes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main } from '../../src/cli/main';
import { releaseAll, startRunEmulator, type RunEmulator } from '../helpers/emulatorCheck';
import { createTempRepo, type TempRepo } from '../helpers/repo';

const CLI = path.resolve(__dirname, '../../dist/cli.js');
const PROJECT = 'demo-project';
const REGION = 'us-west2';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

// The suite's own cache folder, so that no run reads or fills the user's (~/.cache/cloud-run-drift).
const SUITE_CACHE = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-cli-suite-cache-'));
const SUITE_ENV: NodeJS.ProcessEnv = { ...process.env, CLOUD_RUN_DRIFT_CACHE_DIR: SUITE_CACHE };

function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = SUITE_ENV): Promise<Run> {
  assert.ok(fs.existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('cloud-run-drift CLI', () => {
  let repo: TempRepo;
  let emulator: RunEmulator;
  let old: string;
  let head: string;

  const writeConfig = (services: Record<string, unknown>, extra: Record<string, unknown> = {}): void => {
    fs.writeFileSync(path.join(repo.dir, 'cloud-run-drift.json'), JSON.stringify({ project: PROJECT, region: REGION, services, endpoints: { run: emulator.httpUrl }, ...extra }, null, 2));
  };

  before(async () => {
    repo = createTempRepo();
    old = repo.commit('initial', { 'api/main.py': '1', 'web/index.html': '1' });
    repo.commit('api: fix the MERGE', { 'api/main.py': '2' });
    head = repo.head();
    emulator = await startRunEmulator({
      project: PROJECT,
      region: REGION,
      services: [
        { name: 'api', revisions: [{ name: 'api-00001-aaa', labels: { 'commit-sha': old.slice(0, 8) } }] },
        { name: 'web', revisions: [{ name: 'web-00001-aaa', labels: { 'commit-sha': old.slice(0, 8) } }] },
      ],
    });
    writeConfig({ api: { paths: ['api'] }, web: { paths: ['web'] } });
    repo.git('add', 'cloud-run-drift.json');
    repo.git('commit', '-qm', 'add config');
    head = repo.head();
  });
  after(async () => {
    await releaseAll(emulator, repo);
    fs.rmSync(SUITE_CACHE, { recursive: true, force: true });
  });

  it('check prints one line per service and exits 1 on drift, found from a subdirectory', async () => {
    const run = await runCli(['check'], path.join(repo.dir, 'web'));
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /✗ api\s+stale\s+\S{8}\s+1 behind/);
    assert.match(run.stdout, /✓ web\s+up to date/);
  });

  it('--verbose lists the undeployed commits', async () => {
    const run = await runCli(['check', '--verbose'], repo.dir);
    assert.match(run.stdout, /api: fix the MERGE \(Test Author, 2026-01-01\)/);
  });

  it('--json has the documented shape', async () => {
    const run = await runCli(['check', '--json'], repo.dir);
    assert.equal(run.code, 1);
    const json = JSON.parse(run.stdout) as { head: string; services: Record<string, unknown>[] };
    assert.equal(run.stdout.trimEnd().includes('\n'), false, 'compact when piped');
    assert.equal(json.head, head);
    assert.deepEqual(Object.keys(json.services[0]!).sort(), [
      'commitLabel', 'commits', 'commitsBehind', 'commitsOmitted', 'deployedAt', 'deployedCommit', 'dirty', 'driftSince', 'kind', 'latestCreatedRevision', 'message', 'missingPaths', 'name', 'project', 'region', 'serving', 'status',
    ]);
    const api = json.services.find((s) => s.name === 'api')!;
    assert.equal(api.kind, 'service');
    assert.equal(api.status, 'stale');
    assert.equal(api.deployedCommit, old);
    assert.equal(api.commitLabel, old.slice(0, 8));
    assert.equal(api.commitsBehind, 1);
    assert.deepEqual(api.commits, [{ sha: repo.git('rev-parse', 'HEAD~1'), subject: 'api: fix the MERGE' }]);
    assert.equal(api.commitsOmitted, 0);
    assert.deepEqual(api.serving, [{ revision: 'api-00001-aaa', percent: 100, commit: old }]);
  });

  it('--max-commits limits the commits listed, not the count', async () => {
    const run = await runCli(['check', '--json', '--max-commits', '0'], repo.dir);
    const api = (JSON.parse(run.stdout) as { services: { name: string; commits: unknown[]; commitsBehind: number; commitsOmitted: number }[] }).services.find((s) => s.name === 'api')!;
    assert.deepEqual([api.commits, api.commitsBehind, api.commitsOmitted], [[], 1, 1]);
    const verbose = await runCli(['check', '--verbose', '--max-commits', '0'], repo.dir);
    assert.match(verbose.stdout, /\n {4}… and 1 older commit \(--max-commits all lists them\)\n/);
    assert.doesNotMatch(verbose.stdout, /api: fix the MERGE \(Test Author/);
    for (const bad of ['-1', '1.5', 'some', '']) {
      const refused = await runCli(['check', `--max-commits=${bad}`], repo.dir);
      assert.equal(refused.code, 2, bad);
      assert.match(refused.stderr, new RegExp(`--max-commits expects a whole number \\(0 or more\\) or "all", got "${bad.replace('.', '\\.')}"`));
    }
  });

  it('--json is indented for a person at a terminal', async () => {
    const printed: string[] = [];
    const saved = process.env.CLOUD_RUN_DRIFT_CACHE_DIR;
    process.env.CLOUD_RUN_DRIFT_CACHE_DIR = '';
    try {
      const code = await main(['check', '--json', '--repo', repo.dir, '--config', path.join(repo.dir, 'cloud-run-drift.json')], {
        out: (text) => printed.push(text),
        err: () => undefined,
        color: false,
        interactive: true,
      });
      assert.equal(code, 1);
    } finally {
      if (saved === undefined) delete process.env.CLOUD_RUN_DRIFT_CACHE_DIR;
      else process.env.CLOUD_RUN_DRIFT_CACHE_DIR = saved;
    }
    assert.match(printed.join(''), /^\{\n {2}"head": "[0-9a-f]{40}",\n {2}"services": \[\n/);
  });

  it('a configured path that names nothing at HEAD: exit 2, shown in the verdicts, the problem on stderr at its line', async () => {
    const misspelt = path.join(repo.dir, 'misspelt.json');
    fs.writeFileSync(
      misspelt,
      JSON.stringify({ project: PROJECT, region: REGION, services: { api: { paths: ['apx'] }, web: { paths: ['web', 'web/assetz'] } }, endpoints: { run: emulator.httpUrl } }, null, 2),
    );
    const run = await runCli(['check', '--config', misspelt], repo.dir);
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stdout, /! api\s+path missing\s+\S{8}\n {4}No path of this service exists at HEAD \("apx"\)/);
    assert.match(run.stdout, /✓ web\s+up to date\s+\S{8}\s+1 path missing\n {4}web-00001-aaa serves \S+; no later commit touches the service's paths\. Path "web\/assetz" names nothing at HEAD/);
    assert.equal(
      run.stderr,
      `cloud-run-drift: ${misspelt}:7: $.services.api.paths[0]: "apx" names nothing at HEAD (misspelt, or not committed yet?)\n` +
        `cloud-run-drift: ${misspelt}:13: $.services.web.paths[1]: "web/assetz" names nothing at HEAD (misspelt, or not committed yet?)\n`,
    );
    const json = await runCli(['check', '--json', '--config', misspelt], repo.dir);
    assert.equal(json.code, 2);
    const services = (JSON.parse(json.stdout) as { services: { name: string; status: string; missingPaths: string[] }[] }).services;
    assert.deepEqual(services.map((s) => [s.name, s.status, s.missingPaths]), [['api', 'path-missing', ['apx']], ['web', 'up-to-date', ['web/assetz']]]);
  });

  it('--service limits the check; exit 0 when all selected are up to date', async () => {
    const run = await runCli(['check', '--service', 'web', '--json'], repo.dir);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual((JSON.parse(run.stdout) as { services: { name: string }[] }).services.map((s) => s.name), ['web']);
  });

  it('CLOUD_RUN_DRIFT_TIMING prints each phase on stderr, in order, leaving stdout as it was', async () => {
    const plain = await runCli(['check', '--json'], repo.dir);
    const timed = await runCli(['check', '--json'], repo.dir, { ...process.env, CLOUD_RUN_DRIFT_TIMING: '1' });
    assert.equal(timed.code, plain.code);
    assert.deepEqual(JSON.parse(timed.stdout), JSON.parse(plain.stdout));
    const phases = [...timed.stderr.matchAll(/^timing (\S+) (\d+) ms$/gm)].map((m) => ({ phase: m[1]!, ms: Number(m[2]) }));
    assert.deepEqual(phases.map((p) => p.phase).filter((p) => p !== 'git-head'), ['setup', 'api', 'labels', 'ranges', 'verdicts', 'output', 'exit']);
    assert.ok(phases.some((p) => p.phase === 'git-head'));
    const ordered = phases.filter((p) => p.phase !== 'git-head').map((p) => p.ms);
    assert.deepEqual(ordered, [...ordered].sort((a, b) => a - b));
    assert.equal(plain.stderr, '');
  });

  it('keeps a V8 code cache of the bundles it loads in CLOUD_RUN_DRIFT_CACHE_DIR (a check of services: the commands, no SDK); runs with and without it agree', async () => {
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-cli-cache-'));
    try {
      const env = { ...process.env, CLOUD_RUN_DRIFT_CACHE_DIR: cacheDir };
      const first = await runCli(['check', '--json'], repo.dir, env);
      assert.deepEqual(fs.readdirSync(cacheDir).filter((f) => f.endsWith('.v8cache')).map((f) => f.replace(/-[0-9a-f]+\.v8cache$/, '')), ['cli-main']);
      const second = await runCli(['check', '--json'], repo.dir, env);
      const uncached = await runCli(['check', '--json'], repo.dir, { ...process.env, CLOUD_RUN_DRIFT_CACHE_DIR: '' });
      assert.equal(second.code, first.code);
      assert.deepEqual(JSON.parse(second.stdout), JSON.parse(first.stdout));
      assert.deepEqual(JSON.parse(uncached.stdout), JSON.parse(first.stdout));
    } finally {
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it('keeps settled revisions in the cache folder: a repeated check reads no revision again', async () => {
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-cli-revisions-'));
    const env = { ...process.env, CLOUD_RUN_DRIFT_CACHE_DIR: cacheDir };
    try {
      const first = await runCli(['check', '--json'], repo.dir, env);
      const file = path.join(cacheDir, 'check-cache-v1.json');
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      const document = JSON.parse(fs.readFileSync(file, 'utf8')) as { entries: [string, { name: string }][]; servingLabels: [string, string[]][] };
      assert.deepEqual(document.entries.map(([, facts]) => facts.name).sort(), ['api-00001-aaa', 'web-00001-aaa']);
      assert.deepEqual(document.servingLabels, [
        [`${emulator.httpUrl} projects/${PROJECT}/locations/${REGION}/services/api`, [old.slice(0, 8)]],
        [`${emulator.httpUrl} projects/${PROJECT}/locations/${REGION}/services/web`, [old.slice(0, 8)]],
      ]);
      // Every revision read now fails; only runs that keep them can still answer.
      await emulator.control('faults', { rules: [{ api: 'run', operation: 'getRevision', httpStatus: 500, message: 'revisions are down' }] });
      const second = await runCli(['check', '--json'], repo.dir, env);
      assert.equal(second.code, first.code, second.stderr);
      assert.deepEqual(JSON.parse(second.stdout), JSON.parse(first.stdout));
      const uncached = await runCli(['check', '--json'], repo.dir, { ...process.env, CLOUD_RUN_DRIFT_CACHE_DIR: '' });
      assert.equal(uncached.code, 3, 'without the cache the fault is seen');
      assert.match(uncached.stdout, /revisions are down/);
    } finally {
      await emulator.control('clear-faults', {});
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it('reads a revision again when its service was re-created (new uid), though the name is the same', async () => {
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-cli-recreated-'));
    const env = { ...process.env, CLOUD_RUN_DRIFT_CACHE_DIR: cacheDir };
    const original = { project: PROJECT, region: REGION, name: 'api', revisions: [{ name: 'api-00001-aaa', labels: { 'commit-sha': old.slice(0, 8) } }] };
    try {
      const before = JSON.parse((await runCli(['check', '--json', '--service', 'api'], repo.dir, env)).stdout) as { services: { status: string }[] };
      assert.equal(before.services[0]!.status, 'stale');
      await emulator.control('service', { ...original, revisions: [{ name: 'api-00001-aaa', labels: { 'commit-sha': head } }] });
      const after = await runCli(['check', '--json', '--service', 'api'], repo.dir, env);
      assert.equal(after.code, 0, after.stdout);
      assert.equal((JSON.parse(after.stdout) as { services: { status: string; deployedCommit: string }[] }).services[0]!.deployedCommit, head);
    } finally {
      await emulator.control('service', original);
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it('exit 3 when some service cannot be checked, even with drift elsewhere', async () => {
    await emulator.control('faults', { rules: [{ api: 'run', service: 'web', httpStatus: 503, message: 'try later', times: 20 }] });
    try {
      const run = await runCli(['check'], repo.dir);
      assert.equal(run.code, 3, run.stdout + run.stderr);
      assert.match(run.stdout, /! web\s+error/);
      assert.match(run.stdout, /✗ api\s+stale/);
    } finally {
      await emulator.control('clear-faults', {});
    }
  });

  it('exit 2 for usage errors, unknown services and malformed config, naming file, path and line', async () => {
    assert.equal((await runCli(['frobnicate'], repo.dir)).code, 2);
    assert.equal((await runCli(['check', '--bogus'], repo.dir)).code, 2);
    const unknown = await runCli(['check', '--service', 'nope'], repo.dir);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /not configured: nope/);
    const bad = path.join(repo.dir, 'bad.json');
    fs.writeFileSync(bad, '{\n  "project": "demo-project",\n  "region": "us-west2",\n  "services": { "api": { "paths": ["api"], "dependson": [] } }\n}\n');
    const run = await runCli(['check', '--config', bad], repo.dir);
    assert.equal(run.code, 2);
    assert.match(run.stderr, new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4: \\$\\.services\\.api\\.dependson: unknown key "dependson"`));
    const deep = path.join(repo.dir, 'deep.json');
    fs.writeFileSync(deep, `{\n  "services": { "api": {} },\n  "logFilters": ${'['.repeat(50_000)}${']'.repeat(50_000)}\n}\n`);
    const nested = await runCli(['check', '--config', deep], repo.dir);
    assert.equal(nested.code, 2, nested.stderr);
    assert.equal(nested.stderr, `cloud-run-drift: ${deep}:3: $: nested more than 32 levels deep (a configuration needs at most 4)\n`);
    const noConfig = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-empty-'));
    const missing = await runCli(['check'], noConfig);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no cloud-run-drift\.json found/);
  });

  it('a configuration outside any git repository: check and where exit 2 with the one line that says so', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-no-repo-'));
    fs.writeFileSync(path.join(outside, 'cloud-run-drift.json'), JSON.stringify({ project: PROJECT, region: REGION, services: { api: { paths: ['api'] } }, endpoints: { run: emulator.httpUrl } }));
    try {
      // `--kind job` selects no unit here: that is said only of a repository that could be opened.
      for (const args of [['check'], ['check', '--kind', 'job'], ['where', 'HEAD'], ['where', '--file', 'api/main.py', '--line', '1']]) {
        const run = await runCli(args, outside);
        assert.equal(run.code, 2, args.join(' '));
        assert.equal(run.stderr, `cloud-run-drift: ${outside} is not inside a git repository\n`, args.join(' '));
        assert.equal(run.stdout, '', args.join(' '));
      }
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('missing credentials give the exact fix and contact no metadata server', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-home-'));
    const config = path.join(repo.dir, 'prod.json');
    fs.writeFileSync(config, JSON.stringify({ project: PROJECT, region: REGION, services: { api: { paths: ['api'] } } }));
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, CLOUDSDK_CONFIG: path.join(home, 'gcloud'), METADATA_SERVER_DETECTION: 'none' };
    const run = await runCli(['check', '--config', config], repo.dir, env);
    assert.equal(run.code, 3, run.stdout + run.stderr);
    assert.match(run.stdout, /gcloud auth application-default login/);
  });

  it('verify exits 0 once HEAD is live, and says what is live on timeout', async () => {
    const timedOut = await runCli(['verify', 'api', '--timeout', '1', '--interval', '0.2'], repo.dir);
    assert.equal(timedOut.code, 1);
    assert.match(timedOut.stderr, new RegExp(`still serves ${old.slice(0, 8)} \\(expected ${head.slice(0, 8)}\\)`));
    // verify runs no deploy script, and says nothing about one.
    assert.match(timedOut.stderr, new RegExp(`\\n(Timed out after 1 s: )?api still serves ${old.slice(0, 8)}`));
    assert.doesNotMatch(timedOut.stderr, /deploy script/);
    await emulator.control('deploy', { project: PROJECT, region: REGION, service: 'api', labels: { 'commit-sha': head.slice(0, 7) } });
    const ok = await runCli(['verify', 'api', '--timeout', '10', '--interval', '0.2'], repo.dir);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /api serves \S+ from api-00002-/);
    const badCommit = await runCli(['verify', 'api', '--commit', 'zzz'], repo.dir);
    assert.equal(badCommit.code, 2);
    const hammering = await runCli(['verify', 'api', '--interval', '0.01'], repo.dir);
    assert.equal(hammering.code, 2);
    assert.match(hammering.stderr, /--interval expects seconds, at least 0\.2, got "0\.01"/);
  });
});
