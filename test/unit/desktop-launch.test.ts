// The desktop runner's choices (test/e2e/lib/desktopLaunch.ts): which VS Code versions, and how each
// profile's window is started. No editor is downloaded; runTests itself is run against a stand-in
// executable that records the command line and environment it was given.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runTests } from '@vscode/test-electron';
import { DISABLE_WORKSPACE_TRUST, RUN_TESTS_FLAGS, STABLE, desktopLaunch, desktopVersions, downloadFailureMessage, minimumVSCodeVersion, type DesktopLaunchInput } from '../../test/e2e/lib/desktopLaunch';
import { PROFILES, type Profile } from '../../test/e2e/lib/profiles';

const ROOT = path.resolve(__dirname, '../..');
const engines = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { vscode: string } }).engines.vscode;

function profile(name: string): Profile {
  const found = PROFILES.find((p) => p.name === name);
  assert.ok(found, `no profile ${name}`);
  return found;
}

function input(name: string, base = '/work/t'): DesktopLaunchInput {
  return {
    profile: profile(name),
    folder: `${base}/demo-workspace`,
    userDataDir: `${base}/${name}/user-data`,
    extensionsDir: `${base}/${name}/extensions`,
    extensionDevelopmentPath: `${base}/extension`,
    extensionTestsPath: `${base}/out/suite/index.js`,
    specFile: `${base}/${name}/run-spec.json`,
  };
}

describe('desktop runner: VS Code versions', () => {
  it('the oldest version is read from engines.vscode, whichever operator allows it', () => {
    assert.equal(minimumVSCodeVersion('^1.101.0'), '1.101.0');
    assert.equal(minimumVSCodeVersion('>=1.90.2'), '1.90.2');
    assert.equal(minimumVSCodeVersion('~1.95.1'), '1.95.1');
    assert.equal(minimumVSCodeVersion('1.88.0'), '1.88.0');
  });

  it('a range it cannot read is refused with what to write instead', () => {
    for (const range of [undefined, '*', '^1.101.0-insider', '1.101', '<1.101.0']) {
      assert.throws(() => minimumVSCodeVersion(range), /engines\.vscode is .*\^1\.2\.3/, String(range));
    }
  });

  it('by default: stable and the minimum of this package.json', () => {
    const minimum = engines.replace(/^\^/, '');
    assert.match(minimum, /^\d+\.\d+\.\d+$/, `package.json engines.vscode ${engines}`);
    assert.deepEqual(desktopVersions(engines), [STABLE, minimum]);
  });

  it('CRD_DESKTOP_VSCODE narrows to stable, minimum or one exact version, and refuses anything else', () => {
    assert.deepEqual(desktopVersions('^1.101.0', 'stable'), ['stable']);
    assert.deepEqual(desktopVersions('^1.101.0', 'minimum'), ['1.101.0']);
    assert.deepEqual(desktopVersions('^1.101.0', '1.105.1'), ['1.105.1']);
    assert.throws(() => desktopVersions('^1.101.0', 'insiders'), /CRD_DESKTOP_VSCODE must be stable, minimum or a version such as 1\.101\.0, not "insiders"/);
  });
});

describe('desktop runner: launch arguments per profile', () => {
  it('trusted: runTests, the folder first, its own user-data and extensions folders, trust off, the run spec in the environment', () => {
    const launch = desktopLaunch(input('trusted'));
    assert.equal(launch.via, 'runTests');
    assert.deepEqual(launch.testOptions.launchArgs, [
      '/work/t/demo-workspace',
      '--user-data-dir=/work/t/trusted/user-data',
      '--extensions-dir=/work/t/trusted/extensions',
      '--disable-extension',
      'vscode.github',
      '--disable-extension',
      'vscode.github-authentication',
    ]);
    assert.deepEqual(launch.argv, [
      ...launch.testOptions.launchArgs,
      ...RUN_TESTS_FLAGS,
      DISABLE_WORKSPACE_TRUST,
      '--extensionTestsPath=/work/t/out/suite/index.js',
      '--extensionDevelopmentPath=/work/t/extension',
    ]);
    assert.deepEqual(launch.env, { CRD_E2E_RUN_SPEC: '/work/t/trusted/run-spec.json' });
    assert.deepEqual(launch.testOptions.extensionTestsEnv, launch.env);
    assert.equal(launch.testOptions.extensionDevelopmentPath, '/work/t/extension');
    assert.equal(launch.testOptions.extensionTestsPath, '/work/t/out/suite/index.js');
  });

  it('restricted: started directly, with every flag runTests adds except --disable-workspace-trust (Restricted Mode needs trust on)', () => {
    const launch = desktopLaunch(input('restricted'));
    assert.equal(launch.via, 'spawn');
    assert.ok(!launch.argv.includes(DISABLE_WORKSPACE_TRUST), launch.argv.join(' '));
    for (const flag of RUN_TESTS_FLAGS) assert.ok(launch.argv.includes(flag), flag);
    assert.ok(launch.argv.includes('--user-data-dir=/work/t/restricted/user-data'));
    assert.equal(launch.argv[0], '/work/t/demo-workspace');
    assert.deepEqual(launch.env, { CRD_E2E_RUN_SPEC: '/work/t/restricted/run-spec.json' });
  });

  it('fault: trusted, and DEMO_DEPLOY_FAULT reaches the extension host (and so the deploy task terminals)', () => {
    const launch = desktopLaunch(input('fault'));
    assert.equal(launch.via, 'runTests');
    assert.deepEqual(launch.env, { DEMO_DEPLOY_FAULT: 'label-unchanged', CRD_E2E_RUN_SPEC: '/work/t/fault/run-spec.json' });
    assert.deepEqual(launch.testOptions.extensionTestsEnv, launch.env);
  });

  it('the profile cannot override the run spec variable', () => {
    const launch = desktopLaunch({ ...input('trusted'), profile: { name: 'trusted', workspaceTrust: false, env: { CRD_E2E_RUN_SPEC: '/elsewhere' } } });
    assert.equal(launch.env.CRD_E2E_RUN_SPEC, '/work/t/trusted/run-spec.json');
  });

  // A stand-in executable (a Node script) records what @vscode/test-electron really passes.
  it('runTests hands VS Code exactly argv and env; for the restricted profile it would add --disable-workspace-trust', { skip: process.platform === 'win32' && 'the stand-in is a script with a shebang' }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-desktop-args-'));
    try {
      const record = path.join(dir, 'record.json');
      const executable = path.join(dir, 'code');
      fs.writeFileSync(
        executable,
        `#!${process.execPath}\nrequire('fs').writeFileSync(${JSON.stringify(record)}, JSON.stringify({ argv: process.argv.slice(2), spec: process.env.CRD_E2E_RUN_SPEC ?? null, fault: process.env.DEMO_DEPLOY_FAULT ?? null }));\n`,
        { mode: 0o755 },
      );
      const read = (): { argv: string[]; spec: string | null; fault: string | null } => JSON.parse(fs.readFileSync(record, 'utf8'));

      const fault = desktopLaunch(input('fault', dir));
      assert.equal(await runTests({ vscodeExecutablePath: executable, ...fault.testOptions }), 0);
      assert.deepEqual(read(), { argv: fault.argv, spec: fault.env.CRD_E2E_RUN_SPEC, fault: 'label-unchanged' });

      const restricted = desktopLaunch(input('restricted', dir));
      await runTests({ vscodeExecutablePath: executable, ...restricted.testOptions });
      assert.ok(read().argv.includes(DISABLE_WORKSPACE_TRUST), 'runTests trusts every window it opens: the restricted profile cannot go through it');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('desktop runner: a machine that cannot download VS Code', () => {
  it('says what failed, that desktop VS Code cannot be downloaded here, and which harness runs instead', () => {
    const message = downloadFailureMessage('stable', 'getaddrinfo ENOTFOUND update.code.visualstudio.com');
    assert.match(message, /^desktop: downloading VS Code stable failed: getaddrinfo ENOTFOUND update\.code\.visualstudio\.com$/m);
    assert.match(message, /Desktop VS Code cannot be downloaded on this machine/);
    assert.match(message, /no desktop suite ran/);
    assert.match(message, /`npm run test:e2e`/);
  });
});
