// Creates cloud-run-drift.json from the services, functions and jobs Cloud Run lists in a chosen project and region.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CloudRunError } from '../../core/google/apiErrors';
import type { ListedService } from '../../core/google/cloudrun';
import { CONFIG_FILE_NAME } from '../../core/config';
import { pathExists } from '../../core/platform/pathExists';
import { credentialsFix } from '../../core/google/credentials';
import { GrpcStatus } from '../../core/logs';
import { errorText } from '../../core/text/messageText';
import { COMMAND_IDS } from '../commandIds';
import { UserCancelledError, UserFacingError, type ErrorAction } from '../platform/errors';
import { isCredentialsProblem } from '../views/presentation';
import { defineCommand, type CommandServices } from './commandTypes';
import { KIND_LABELS } from '../views/unitPresentation';
import {
  buildScaffoldConfig,
  guessCommitLabel,
  guessServicePaths,
  listRepositoryDirectories,
  scaffoldUnits,
  type ListedUnit,
  validateProjectId,
  validateRegion,
} from './scaffoldPlan';

const LAST_PROJECT_KEY = 'cloudRunDrift.scaffold.project';
const LAST_REGION_KEY = 'cloudRunDrift.scaffold.region';
const STEPS = 3;

async function pickFolder(): Promise<vscode.WorkspaceFolder> {
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
  if (folders.length === 0) {
    throw new UserFacingError(
      'Open the folder of your repository first: cloud-run-drift.json lives at its root.',
      [{ title: 'Open Folder', run: () => vscode.commands.executeCommand('vscode.openFolder') }],
      'warning',
    );
  }
  if (folders.length === 1) return folders[0]!;
  const picked = await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Create cloud-run-drift.json for which repository?' });
  if (!picked) throw new UserCancelledError();
  return picked;
}

/** The repository root (paths in the file are relative to it), or the folder itself outside git. */
async function configDirectory(services: CommandServices, folder: string): Promise<string> {
  try {
    return (await services.openRepository(folder)).root;
  } catch (err) {
    services.logger.warn(`${folder} is not in a git repository (${errorText(err)}); writing the file there`);
    return folder;
  }
}

async function ask(options: vscode.InputBoxOptions): Promise<string> {
  const value = await vscode.window.showInputBox({ ignoreFocusOut: true, ...options });
  if (value === undefined) throw new UserCancelledError();
  return value.trim();
}

function credentialsActions(): ErrorAction[] {
  const fix = credentialsFix();
  return [
    { title: 'Run in Terminal', run: () => vscode.commands.executeCommand(COMMAND_IDS.signIn) },
    { title: 'Copy Command', run: () => vscode.env.clipboard.writeText(fix) },
  ];
}

/** What was listed, and what could not be (functions or jobs: the services alone still make a file). */
interface ListedUnits {
  units: ListedUnit[];
  /** E.g. "functions: the Cloud Functions API at … answered PERMISSION_DENIED". */
  unlisted: string[];
}

async function listUnits(services: CommandServices, project: string, region: string): Promise<ListedUnits> {
  const endpoint = services.settings().scaffoldRunEndpoint;
  const reader = services.createReader(endpoint ? { run: endpoint, functions: endpoint } : {});
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Listing Cloud Run services, functions and jobs in ${project} (${region})…`, cancellable: true },
      (_progress, token) =>
        new Promise<ListedUnits>((resolve, reject) => {
          // The SDK calls cannot be aborted; cancelling stops waiting for them.
          token.onCancellationRequested(() => reject(new UserCancelledError()));
          const optional = (what: string, list: (() => Promise<ListedService[]>) | undefined): Promise<ListedService[] | string> =>
            list ? list().catch((err: unknown) => `${what}: ${errorText(err)}`) : Promise.resolve([]);
          Promise.all([
            reader.listServices(project, region),
            optional('functions', reader.listFunctions && (() => reader.listFunctions!(project, region))),
            optional('jobs', reader.listJobs && (() => reader.listJobs!(project, region))),
          ]).then(([listedServices, functions, jobs]) => {
            const unlisted = [functions, jobs].filter((r): r is string => typeof r === 'string');
            const listed = (r: ListedService[] | string): ListedService[] => (typeof r === 'string' ? [] : r);
            resolve({ units: scaffoldUnits(listedServices, listed(functions), listed(jobs)), unlisted });
          }, reject);
        }),
    );
  } catch (err) {
    if (err instanceof UserCancelledError) throw err;
    const message = errorText(err);
    const code = err instanceof CloudRunError ? err.code : null;
    if (code === GrpcStatus.UNAUTHENTICATED || isCredentialsProblem(message)) {
      throw new UserFacingError(`Cannot list Cloud Run services: ${message}`, credentialsActions());
    }
    if (code === GrpcStatus.PERMISSION_DENIED) {
      throw new UserFacingError(`Cannot list Cloud Run services in ${project} (${region}): ${message}`);
    }
    throw new Error(`Listing Cloud Run services in ${project} (${region}) failed: ${message}`, { cause: err });
  } finally {
    reader.close().catch((err: unknown) => services.logger.warn(`closing the scaffold client failed: ${errorText(err)}`));
  }
}

export const scaffoldConfigCommand = defineCommand({
  id: COMMAND_IDS.scaffoldConfig,
  title: 'Create cloud-run-drift.json',
  run: async (services) => {
    const folder = await pickFolder();
    const directory = await configDirectory(services, folder.uri.fsPath);
    const file = path.join(directory, CONFIG_FILE_NAME);
    if (await pathExists(file)) {
      const replace = 'Replace';
      const choice = await vscode.window.showWarningMessage(
        `${file} already exists. Replace it with one generated from Cloud Run?`,
        { modal: true },
        replace,
      );
      if (choice !== replace) throw new UserCancelledError();
    }

    const environmentProject = process.env.CLOUDSDK_CORE_PROJECT ?? process.env.GOOGLE_CLOUD_PROJECT ?? process.env.GCLOUD_PROJECT;
    const project = await ask({
      title: `Create cloud-run-drift.json (1/${STEPS})`,
      prompt: 'Google Cloud project whose Cloud Run services, functions or jobs this repository deploys',
      placeHolder: 'my-project-123',
      value: services.memento.get<string>(LAST_PROJECT_KEY) ?? environmentProject ?? '',
      validateInput: validateProjectId,
    });
    const region = await ask({
      title: `Create cloud-run-drift.json (2/${STEPS})`,
      prompt: 'Cloud Run region',
      placeHolder: 'us-west2',
      value: services.memento.get<string>(LAST_REGION_KEY) ?? 'us-central1',
      validateInput: validateRegion,
    });
    await services.memento.update(LAST_PROJECT_KEY, project);
    await services.memento.update(LAST_REGION_KEY, region);

    const { units: listed, unlisted } = await listUnits(services, project, region);
    // What could not be listed is said, not hidden: the file then lacks those units.
    if (unlisted.length > 0) void vscode.window.showWarningMessage(`Could not list every kind of unit, so the file may lack some: ${unlisted.join('; ')}`);
    if (listed.length === 0) {
      throw new UserFacingError(`Cloud Run lists no services, functions or jobs in ${project} (${region}).`, [], 'warning');
    }
    const picked = await vscode.window.showQuickPick(
      listed.map((service) => ({ label: service.name, description: KIND_LABELS[service.kind], picked: true, service })),
      {
        title: `Create cloud-run-drift.json (3/${STEPS})`,
        placeHolder: 'Which of these are deployed from this repository?',
        canPickMany: true,
        ignoreFocusOut: true,
      },
    );
    if (!picked || picked.length === 0) throw new UserCancelledError();

    const directories = await listRepositoryDirectories(directory);
    const chosen = picked.map((p) => ({ name: p.service.name, kind: p.service.kind, paths: guessServicePaths(p.service.name, directories) }));
    const text = buildScaffoldConfig({
      project,
      region,
      commitLabel: guessCommitLabel(picked.map((p) => p.service)),
      services: chosen,
      runEndpoint: services.settings().scaffoldRunEndpoint || null,
    });
    await vscode.workspace.fs.writeFile(vscode.Uri.file(file), new TextEncoder().encode(text));
    services.logger.info(`wrote ${file} with ${chosen.length} units from ${project} (${region})`);
    // The repository's session reads the file again; a new one is found (its watcher may be slower).
    const repo = services.repos.get(directory);
    if (repo) {
      repo.session.markConfigChanged();
      void repo.refresh.request('config');
    }
    void services.repos.discover('config');

    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(file)));
    const withoutPaths = chosen.filter((s) => s.paths.length === 0).map((s) => s.name);
    if (withoutPaths.length > 0) {
      void vscode.window.showInformationMessage(
        `Set "paths" for ${withoutPaths.join(', ')}: until then every commit in the repository counts as a change to ${withoutPaths.length === 1 ? 'it' : 'them'}.`,
      );
    }
  },
});
