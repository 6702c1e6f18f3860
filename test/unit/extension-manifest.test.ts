// Holds package.json's contributions against the code: command ids, menus' context values,
// settings and their defaults, welcome views, the walkthrough, assets; and checks that the
// extension bundle's static import graph (what activation loads) contains no Google SDK.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
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
import { CONTEXT_VALUES, serviceContextValue } from '../../src/extension/presentation';
import { DEFAULT_SETTINGS, SETTINGS_SECTION } from '../../src/extension/settingsDefaults';
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
  icon: string;
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
      // A link alone on its line is drawn as the step's button.
      const button = /^\[[^\]]+\]\(command:([\w.]+)\)$/m.exec(step.description);
      assert.ok(button, `${step.id} has no button`);
      buttons[step.id] = button[1]!;
      assert.ok(step.media.image && step.media.altText, `${step.id} has no image with alt text`);
      assert.equal(fs.readFileSync(path.join(ROOT, step.media.image)).subarray(1, 4).toString(), 'PNG', step.media.image);
      assert.ok(step.completionEvents.length > 0, step.id);
      for (const event of step.completionEvents) {
        const [kind, value] = [event.slice(0, event.indexOf(':')), event.slice(event.indexOf(':') + 1)];
        if (kind === 'onCommand') assert.ok(commands.has(value), event);
        else if (kind === 'onView') assert.ok(views.has(value), event);
        else assert.deepEqual([kind, value], ['onContext', 'cloudRunDrift.state == ready'], event);
      }
    }
    assert.deepEqual(buttons, {
      signIn: COMMAND_IDS.signIn,
      createConfig: COMMAND_IDS.scaffoldConfig,
      readVerdicts: FOCUS_SERVICES_VIEW_COMMAND,
      deploy: COMMAND_IDS.deploy,
      openLogs: COMMAND_IDS.openLogs,
    });
    const events = Object.fromEntries(steps.map((s) => [s.id, s.completionEvents]));
    assert.ok(events.signIn?.includes(`onCommand:${COMMAND_IDS.signIn}`));
    assert.ok(events.readVerdicts?.includes(`onView:${SERVICES_VIEW_ID}`));
    for (const id of [COMMAND_IDS.deploy, COMMAND_IDS.deployWith, COMMAND_IDS.deployAllStale]) assert.ok(events.deploy?.includes(`onCommand:${id}`), id);
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
