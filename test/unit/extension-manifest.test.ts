// Holds package.json's contributions against the code: command ids, menus' context values,
// settings and their defaults, welcome views, the walkthrough, assets; the Marketplace listing
// (with the README's images as @vscode/vsce rewrites them, and the files it packs); and checks
// that the extension bundle's static import graph (what activation loads) contains no Google SDK.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { listFiles, PackageManager } from '@vscode/vsce';
import * as esbuild from 'esbuild';
import {
  COMMAND_IDS,
  FOCUS_SERVICES_VIEW_COMMAND,
  JOBS_VIEW_ID,
  SERVICES_VIEW_ID,
  VIEW_CONTAINER_ID,
  WALKTHROUGH_ID,
  WALKTHROUGH_STEP_IDS,
} from '../../src/extension/commandIds';
import { DEFAULT_SETTINGS, SETTINGS_SECTION } from '../../src/extension/platform/settingsDefaults';
import { CONTEXT_VALUES, repositoryContextValue, serviceContextValue } from '../../src/extension/views/presentation';
import { verdict } from './extension-fixtures';

const ROOT = path.resolve(__dirname, '../..');

interface MenuEntry {
  command: string;
  when?: string;
  group?: string;
}

interface WalkthroughStep {
  id: string;
  title: string;
  description: string;
  media: { image?: string; altText?: string; markdown?: string };
  completionEvents: string[];
}

interface Manifest {
  name: string;
  publisher: string;
  main: string;
  icon: string;
  preview: boolean;
  repository: { type: string; url: string };
  homepage: string;
  bugs: { url: string };
  keywords: string[];
  categories: string[];
  galleryBanner: { color: string; theme: string };
  scripts: Record<string, string>;
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: string | boolean; description: string } };
  contributes: {
    viewsContainers: { activitybar: { id: string; icon: string }[] };
    views: Record<string, { id: string; name: string }[]>;
    viewsWelcome: { view: string; contents: string; when: string }[];
    walkthroughs: { id: string; title: string; description: string; steps: WalkthroughStep[] }[];
    commands: { command: string; title: string; category: string }[];
    menus: Record<string, MenuEntry[]>;
    jsonValidation: { fileMatch: string; url: string }[];
    configuration: { properties: Record<string, { default: unknown }> };
  };
}

const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;
const contributes = manifest.contributes;

function viewItemPatterns(command: string): RegExp[] {
  return Object.values(contributes.menus)
    .flat()
    .filter((m) => m.command === command && m.when?.includes('viewItem'))
    .map((m) => {
      const regex = /viewItem =~ \/(.+?)\/(?:\s|$)/.exec(m.when!);
      const equal = /viewItem == ([\w.-]+)/.exec(m.when!);
      if (regex) return new RegExp(regex[1]!);
      assert.ok(equal, `unparsed when clause: ${m.when}`);
      return new RegExp(`^${equal[1]!.replace(/\./g, '\\.')}$`);
    });
}

describe('extension manifest', () => {
  it('contributes exactly the commands the registration table knows, each in the palette category', () => {
    const contributed = contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(contributed, Object.values<string>(COMMAND_IDS).sort());
    for (const c of contributes.commands) assert.equal(c.category, 'Cloud Run Drift', c.command);
    for (const entry of Object.values(contributes.menus).flat()) assert.ok(contributed.includes(entry.command), entry.command);
  });

  it('hides no command from the palette except service commands until a config is loaded', () => {
    for (const entry of contributes.menus.commandPalette ?? []) {
      assert.notEqual(entry.when, 'false', `${entry.command} must work from the Command Palette`);
      assert.equal(entry.when, 'cloudRunDrift.state == ready', entry.command);
    }
  });

  it('matches menus against the context values the tree produces', () => {
    const stale = serviceContextValue(verdict('a', 'stale', { dirty: true }), false);
    const noCommit = serviceContextValue(verdict('a', 'not-found', { deployedCommit: null, commitLabel: null }), true);
    const matches = (command: string, value: string): boolean => viewItemPatterns(command).some((p) => p.test(value));
    assert.ok(matches(COMMAND_IDS.openInCloudConsole, stale));
    assert.ok(matches(COMMAND_IDS.openInCloudConsole, noCommit));
    assert.ok(matches(COMMAND_IDS.copyDeployedCommit, stale));
    assert.ok(!matches(COMMAND_IDS.copyDeployedCommit, noCommit));
    assert.ok(matches(COMMAND_IDS.showCommitPatch, CONTEXT_VALUES.commit));
    assert.ok(!matches(COMMAND_IDS.showCommitPatch, stale));
    assert.ok(matches(COMMAND_IDS.openConfig, CONTEXT_VALUES.configProblem));
    // A repository's group row (two or more repositories): its own refresh, config, stale deploys and logs.
    const ready = repositoryContextValue('ready');
    const invalid = repositoryContextValue('invalidConfig');
    for (const command of [COMMAND_IDS.refresh, COMMAND_IDS.openConfig]) assert.ok(matches(command, ready) && matches(command, invalid), command);
    for (const command of [COMMAND_IDS.deployAllStale, COMMAND_IDS.openAllLogs]) assert.ok(matches(command, ready) && !matches(command, invalid), command);
    for (const command of [COMMAND_IDS.deploy, COMMAND_IDS.openLogs, COMMAND_IDS.openInCloudConsole]) assert.ok(!matches(command, ready), command);
  });

  it('offers deploy, logs and the console on functions and Cloud Run jobs, Open Logs on executions, and no revision actions on jobs', () => {
    const matches = (command: string, value: string): boolean => viewItemPatterns(command).some((p) => p.test(value));
    const fn = serviceContextValue(verdict('f', 'deploy-failed', { kind: 'function' }), false);
    const job = serviceContextValue(verdict('j', 'stale', { kind: 'job', serving: [] }), false);
    const uncheckedJob = serviceContextValue(undefined, false, 'job');
    assert.equal(fn, 'cloudRunDrift.function.deploy-failed.hasCommit');
    assert.equal(job, 'cloudRunDrift.runJob.stale.hasCommit');
    assert.equal(uncheckedJob, 'cloudRunDrift.runJob.unchecked');
    for (const value of [fn, job, uncheckedJob]) {
      for (const command of [COMMAND_IDS.deploy, COMMAND_IDS.deployWith, COMMAND_IDS.showDeployTerminal, COMMAND_IDS.openLogs, COMMAND_IDS.openInCloudConsole]) {
        assert.ok(matches(command, value), `${command} on ${value}`);
      }
      assert.ok(!matches(COMMAND_IDS.openRevisionLogs, value), `no revision logs on ${value}`);
    }
    assert.ok(matches(COMMAND_IDS.copyDeployedCommit, job));
    assert.ok(matches(COMMAND_IDS.openLogs, CONTEXT_VALUES.execution));
    for (const command of [COMMAND_IDS.deploy, COMMAND_IDS.openRevisionLogs, COMMAND_IDS.openInCloudConsole, COMMAND_IDS.copyDeployedCommit]) {
      assert.ok(!matches(command, CONTEXT_VALUES.execution), `${command} is not on an execution`);
    }
    // The Data Jobs view's rows keep their own menus: a Cloud Run job's row matches none of them.
    for (const command of [COMMAND_IDS.runDataJob, COMMAND_IDS.showScoreboard]) assert.ok(!matches(command, job), command);
  });

  it('declares the view container, view, welcome, schema and icons', () => {
    const container = contributes.viewsContainers.activitybar.find((c) => c.id === VIEW_CONTAINER_ID);
    assert.ok(container);
    assert.ok(fs.existsSync(path.join(ROOT, container.icon)), container.icon);
    assert.match(fs.readFileSync(path.join(ROOT, container.icon), 'utf8'), /<svg[\s\S]*currentColor/);
    assert.deepEqual(contributes.views[VIEW_CONTAINER_ID]?.map((v) => [v.id, v.name]), [[SERVICES_VIEW_ID, 'Services'], [JOBS_VIEW_ID, 'Data Jobs']]);
    const noConfig = contributes.viewsWelcome.find((w) => w.when.includes('cloudRunDrift.state == noConfig'));
    assert.ok(noConfig?.contents.includes(`(command:${COMMAND_IDS.scaffoldConfig})`));
    assert.deepEqual(contributes.jsonValidation, [{ fileMatch: 'cloud-run-drift.json', url: './schema/cloud-run-drift.schema.json' }]);
    assert.ok(fs.existsSync(path.join(ROOT, 'schema/cloud-run-drift.schema.json')));
    const png = fs.readFileSync(path.join(ROOT, manifest.icon));
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    assert.equal(png.readUInt32BE(16), 128);
  });

  it('declares every setting with the default the code uses', () => {
    const properties = contributes.configuration.properties;
    assert.deepEqual(Object.keys(properties).sort(), Object.keys(DEFAULT_SETTINGS).map((k) => `${SETTINGS_SECTION}.${k}`).sort());
    for (const [key, value] of Object.entries(DEFAULT_SETTINGS)) assert.deepEqual(properties[`${SETTINGS_SECTION}.${key}`]?.default, value, key);
  });

  it('activates on the config file at a folder root, after startup for a folder below one, and is limited in untrusted workspaces', () => {
    // workspaceContains only looks inside the folders; the session finds a file above them (the
    // repository root of a service's folder) once the extension runs, so it runs after startup.
    assert.deepEqual(manifest.activationEvents, ['workspaceContains:cloud-run-drift.json', 'onStartupFinished']);
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.match(manifest.capabilities.untrustedWorkspaces.description, /deploy/);
  });

  it('contributes the Getting Started walkthrough: each step a button that runs our command, an image and events that finish it', () => {
    assert.deepEqual(contributes.walkthroughs.map((w) => w.id), [WALKTHROUGH_ID]);
    const steps = contributes.walkthroughs[0]!.steps;
    assert.deepEqual(steps.map((s) => s.id), [...WALKTHROUGH_STEP_IDS]);
    const commands = new Set(contributes.commands.map((c) => c.command));
    const views = new Set(Object.values(contributes.views).flat().map((v) => v.id));
    const buttons: Record<string, string> = {};
    for (const step of steps) {
      const links = [...step.description.matchAll(/\]\(command:([\w.]+)\)/g)].map((m) => m[1]!);
      for (const link of links) assert.ok(commands.has(link) || link === FOCUS_SERVICES_VIEW_COMMAND, `${step.id} links to ${link}`);
      // The Welcome page draws links and nothing else: emphasis and code would show as * and `.
      assert.doesNotMatch(step.description, /[`*_]{1,2}\w/, step.id);
      // A link alone on its line is drawn as the step's button.
      const button = /^\[[^\]]+\]\(command:([\w.]+)\)$/m.exec(step.description);
      assert.ok(button, `${step.id} has no button`);
      buttons[step.id] = button[1]!;
      assert.ok(step.media.image && step.media.altText, `${step.id} has no image with alt text`);
      assert.equal(fs.readFileSync(path.join(ROOT, step.media.image)).subarray(1, 4).toString(), 'PNG', step.media.image);
      assert.ok(step.completionEvents.length > 0, step.id);
      for (const event of step.completionEvents) {
        const [kind, value] = [event.slice(0, event.indexOf(':')), event.slice(event.indexOf(':') + 1)];
        if (kind === 'onCommand') assert.ok(commands.has(value) || value === FOCUS_SERVICES_VIEW_COMMAND, event);
        else if (kind === 'onView') assert.ok(views.has(value), event);
        else assert.deepEqual([kind, value], ['onContext', 'cloudRunDrift.state == ready'], event);
      }
    }
    assert.deepEqual(buttons, {
      signIn: COMMAND_IDS.signIn,
      createConfig: COMMAND_IDS.scaffoldConfig,
      readVerdicts: FOCUS_SERVICES_VIEW_COMMAND,
      deploy: COMMAND_IDS.deploy,
      rollBack: COMMAND_IDS.routeAllTraffic,
      openLogs: COMMAND_IDS.openLogs,
    });
    const events = Object.fromEntries(steps.map((s) => [s.id, s.completionEvents]));
    assert.ok(events.signIn?.includes(`onCommand:${COMMAND_IDS.signIn}`));
    // Its button shows a view that is often showing already: then only the command says it was pressed.
    assert.deepEqual(events.readVerdicts, [`onView:${SERVICES_VIEW_ID}`, `onCommand:${FOCUS_SERVICES_VIEW_COMMAND}`]);
    for (const id of [COMMAND_IDS.deploy, COMMAND_IDS.deployWith, COMMAND_IDS.deployAllStale]) assert.ok(events.deploy?.includes(`onCommand:${id}`), id);
    assert.deepEqual(events.rollBack, [`onCommand:${COMMAND_IDS.routeAllTraffic}`]);
    for (const id of [COMMAND_IDS.openLogs, COMMAND_IDS.openAllLogs, COMMAND_IDS.openRevisionLogs, COMMAND_IDS.openDeployLogs]) assert.ok(events.openLogs?.includes(`onCommand:${id}`), id);

    // The welcome view without a configuration links to it by its full id.
    const noConfig = contributes.viewsWelcome.find((w) => w.when.includes('cloudRunDrift.state == noConfig'))!;
    const link = /\(command:workbench\.action\.openWalkthrough\?([^)]+)\)/.exec(noConfig.contents);
    assert.ok(link, 'the no-configuration welcome links to the walkthrough');
    assert.deepEqual(JSON.parse(decodeURIComponent(link[1]!)), [`${manifest.publisher}.${manifest.name}#${WALKTHROUGH_ID}`, false]);
  });

  it('loads no Google SDK at activation', async () => {
    const built = await esbuild.build({
      entryPoints: [path.join(ROOT, 'src/extension/extension.ts')],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'cjs',
      mainFields: ['module', 'main'],
      external: ['vscode'],
      logLevel: 'silent',
      plugins: [
        {
          // As in esbuild.mjs: src/sdk/* is a separate bundle loaded on first use.
          name: 'lazy-sdk',
          setup(build) {
            build.onResolve({ filter: /(^|\/)sdk\/[a-z-]+$/ }, (args) => (args.importer.includes('/src/sdk/') ? undefined : { path: args.path, external: true }));
          },
        },
      ],
    });
    const inputs = Object.keys(built.metafile.inputs);
    const google = inputs.filter((i) => /node_modules\/(@google-cloud|google-auth-library|google-gax|@grpc)\//.test(i));
    assert.deepEqual(google, []);
    const output = Object.values(built.metafile.outputs)[0]!;
    const dynamic = output.imports.filter((i) => i.kind === 'dynamic-import' || i.kind === 'require-call').map((i) => i.path);
    assert.ok(dynamic.some((p) => p.endsWith('sdk/run')), 'the Run SDK is reached only through the lazy bundle');
  });
});

/** The categories the Visual Studio Marketplace accepts. */
const MARKETPLACE_CATEGORIES = [
  'AI',
  'Azure',
  'Chat',
  'Data Science',
  'Debuggers',
  'Education',
  'Extension Packs',
  'Formatters',
  'Keymaps',
  'Language Packs',
  'Linters',
  'Machine Learning',
  'Notebooks',
  'Other',
  'Programming Languages',
  'SCM Providers',
  'Snippets',
  'Testing',
  'Themes',
  'Visualization',
];

interface MarkdownFile {
  path: string;
  contents: Buffer | string;
}

/** @vscode/vsce's own README processor (what `vsce package` runs on README.md); not part of its typed API. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ReadmeProcessor } = require('@vscode/vsce/out/package') as {
  ReadmeProcessor: new (manifest: unknown, options: { rewriteRelativeLinks?: boolean }) => { onFile(file: MarkdownFile): Promise<MarkdownFile> };
};

describe('Marketplace listing', () => {
  const repository = /^https:\/\/github\.com\/([\w.-]+\/[\w-]+)(?:\.git)?$/.exec(manifest.repository?.url ?? '')?.[1];

  it('names the repository, its home page and issues, keywords, fitting categories, a preview flag and a banner', () => {
    assert.equal(manifest.repository.type, 'git');
    assert.ok(repository, `not a GitHub repository URL: ${manifest.repository.url}`);
    assert.equal(manifest.homepage, `https://github.com/${repository}#readme`);
    assert.equal(manifest.bugs.url, `https://github.com/${repository}/issues`);
    assert.ok(manifest.keywords.includes('cloud run') && manifest.keywords.includes('google cloud'), manifest.keywords.join(', '));
    assert.ok(manifest.keywords.length <= 30, 'the Marketplace keeps at most 30 keywords');
    assert.equal(new Set(manifest.keywords).size, manifest.keywords.length);
    assert.ok(manifest.categories.length > 0);
    for (const category of manifest.categories) assert.ok(MARKETPLACE_CATEGORIES.includes(category), category);
    assert.equal(manifest.preview, true);
    assert.match(manifest.galleryBanner.color, /^#[0-9a-f]{6}$/i);
    assert.ok(['dark', 'light'].includes(manifest.galleryBanner.theme), manifest.galleryBanner.theme);
  });

  it("points the README's images at committed files of the repository, as vsce packages it", async () => {
    const script = manifest.scripts.package!;
    assert.match(script, /vsce package/);
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const processor = new ReadmeProcessor(manifest, { rewriteRelativeLinks: !script.includes('--no-rewrite-relative-links') });
    const packaged = (await processor.onFile({ path: 'extension/readme.md', contents: readme })).contents.toString();
    const images = [...packaged.matchAll(/!\[[^\]]*\]\(([^)\s]+)/g), ...packaged.matchAll(/<img[^>]+src="([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(images.length > 0, 'the README shows the product');
    const prefix = `https://github.com/${repository}/raw/HEAD/`;
    const tracked = new Set(execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n'));
    for (const image of images) {
      assert.ok(image.startsWith(prefix), `${image} does not load on the Marketplace (expected ${prefix}…)`);
      const file = image.slice(prefix.length);
      assert.ok(tracked.has(file), `${file} is not committed, so ${image} would be missing`);
      // vsce refuses SVG images from hosts it does not trust, GitHub's raw files among them.
      assert.match(file, /\.(png|jpe?g|gif)$/, file);
    }
  });

  it('tells how to run the demo and the tests, each in one command', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    assert.match(readme, /^npm install && npm run demo\b/m);
    assert.match(readme, /^npm install && npm test\b/m);
  });

  it('packs the bundles the extension loads and every file its manifest names, not the CLI, sources, maps or the README screenshot', async () => {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'crd-vsix-')));
    try {
      const media = fs.readdirSync(path.join(ROOT, 'media'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
      const built = ['extension', 'git-helper', 'cli', 'cli-main', 'sdk-run', 'sdk-logging', 'sdk-bigquery', 'sdk-auth'].flatMap((b) => [`dist/${b}.js`, `dist/${b}.js.map`]);
      const others = ['README.md', 'CHANGELOG.md', 'LICENSE', 'CONTRIBUTING.md', 'docs/configuration.md', 'schema/cloud-run-drift.schema.json', 'src/extension/extension.ts', 'test/unit/a.test.ts', 'bench/README.md', 'out/e2e/suite/a.js', 'test-results/overview.png', '.vscode-test/e2e-env.json', 'dist/cloud-run-drift.vsix'];
      for (const file of [...media, ...built, ...others]) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), '');
      }
      for (const file of ['package.json', '.vscodeignore']) fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
      const packed = (await listFiles({ cwd: dir, packageManager: PackageManager.None })).sort();

      const named = [
        manifest.main.replace(/^\.\//, ''),
        manifest.icon,
        ...contributes.viewsContainers.activitybar.map((c) => c.icon),
        ...contributes.jsonValidation.map((v) => v.url.replace(/^\.\//, '')),
        ...contributes.walkthroughs.flatMap((w) => w.steps.map((s) => s.media.image!)),
        // The log view's and the scoreboard view's pages (logPanel.ts, scoreboardPanels.ts), the git helper process (driftExtension.ts) and the lazily loaded SDK bundles (core/google/sdk.ts).
        'media/logs/logs.css',
        'media/logs/logs.js',
        'media/scoreboard/scoreboard.css',
        'media/scoreboard/scoreboard.js',
        'dist/git-helper.js',
        'dist/sdk-run.js',
        'dist/sdk-logging.js',
        'dist/sdk-bigquery.js',
        'dist/sdk-auth.js',
      ];
      for (const file of named) assert.ok(packed.includes(file), `${file} is not packed`);
      const expected = [...new Set([...named, 'package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'docs/configuration.md'])].sort();
      assert.deepEqual(packed, expected, 'the .vsix must hold exactly what the extension uses (.vscodeignore; a new media file is listed there)');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
