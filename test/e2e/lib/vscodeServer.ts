// The VS Code server (code-server's lib/vscode, run directly through out/server-main.js: code-server's
// own CLI rejects the development flags). Fresh server-data, user-data and extensions folders per
// profile, the extension installed from the .vsix (or copied unpacked), then the server on a free port.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExtensionManifest, InstalledEditor } from './env';
import { freePort, runCommand, spawnGroup, tail, waitFor, type Spawned } from './process';

export interface EditorDirs {
  base: string;
  serverData: string;
  userData: string;
  extensions: string;
}

export function makeEditorDirs(base: string): EditorDirs {
  const dirs = { base, serverData: path.join(base, 'server-data'), userData: path.join(base, 'user-data'), extensions: path.join(base, 'extensions') };
  for (const dir of [dirs.serverData, path.join(dirs.userData, 'User'), dirs.extensions]) fs.mkdirSync(dir, { recursive: true });
  return dirs;
}

/**
 * User settings. Only USER_DATA_DIR/User/settings.json is honored for workspace trust (the copy in
 * the server-data folder is not). The rest keeps the editor quiet and deterministic: no welcome
 * page, no AI panel, no gallery or update checks (this machine has no network beyond registries).
 */
export function writeUserSettings(dirs: Pick<EditorDirs, 'userData'>, options: { workspaceTrust: boolean; extra?: Record<string, unknown> }): void {
  const settings: Record<string, unknown> = {
    'security.workspace.trust.enabled': options.workspaceTrust,
    'security.workspace.trust.startupPrompt': 'never',
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.reduceMotion': 'on',
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'chat.disableAIFeatures': true,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'update.mode': 'none',
    'telemetry.telemetryLevel': 'off',
    'git.autofetch': false,
    'git.openRepositoryInParentFolders': 'never',
    ...options.extra,
  };
  fs.writeFileSync(path.join(dirs.userData, 'User', 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
}

function serverDirArgs(dirs: EditorDirs): string[] {
  return ['--server-data-dir', dirs.serverData, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
}

/**
 * The server environment: no extension gallery, and without the built-ins that only talk to
 * github.com (the server ignores --disable-extension; it honors this variable). Requests to
 * either would only fail here, slowly.
 */
function serverEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...process.env, EXTENSIONS_GALLERY: '{}', VSCODE_SKIP_BUILTIN_EXTENSIONS: 'vscode.github,vscode.github-authentication', ...extra };
}

export type ExtensionSource = { kind: 'vsix'; file: string } | { kind: 'unpacked'; dir: string; files: readonly string[]; manifest: ExtensionManifest };

/** Installs into the fresh extensions folder. A .vsix goes through the server's own --install-extension. */
export async function installExtension(editor: InstalledEditor, dirs: EditorDirs, source: ExtensionSource): Promise<void> {
  if (source.kind === 'vsix') {
    const out = await runCommand(editor.node, [editor.serverMain, ...serverDirArgs(dirs), '--accept-server-license-terms', '--install-extension', source.file], {
      cwd: dirs.base,
      env: serverEnv({}),
      timeoutMs: 60_000,
    });
    if (!/successfully installed/i.test(out)) throw new Error(`installing ${source.file} said:\n${tail(out, 2000)}`);
    return;
  }
  // Copying works only into an extensions folder with no earlier state (else "marked as removed").
  const { publisher, name, version } = source.manifest;
  const target = path.join(dirs.extensions, `${publisher}.${name}-${version}`);
  for (const file of source.files) {
    const from = path.join(source.dir, file);
    if (fs.existsSync(from)) fs.cpSync(from, path.join(target, file), { recursive: true });
  }
}

export interface EditorServer {
  port: number;
  /** http://127.0.0.1:PORT */
  url: string;
  /** The remote authority, for vscode-remote:// URIs. */
  authority: string;
  process: Spawned;
  /** `http://127.0.0.1:PORT/?folder=/abs/path` (`?workspace=` for a .code-workspace file) plus an optional payload (development options). */
  workbenchUrl(folder: string, payload?: readonly (readonly [string, string])[]): string;
  remoteUri(absPath: string): string;
  stop(): Promise<void>;
}

/**
 * Starts the server and waits until it answers HTTP. `env` reaches the remote extension host
 * (it inherits the server's environment): that is how suites learn the workspace and emulator.
 */
export async function startEditorServer(editor: InstalledEditor, dirs: EditorDirs, options: { env: NodeJS.ProcessEnv; logFile: string; verbose: boolean }): Promise<EditorServer> {
  // The free port is found before the server binds it: on the rare collision, try another.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const proc = spawnServer(editor, dirs, port, options);
    const url = `http://127.0.0.1:${port}`;
    const answering = waitFor('the VS Code server to answer HTTP', 60_000, async () => {
      const response = await fetch(`${url}/version`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
      return response?.ok ? true : undefined;
    });
    const outcome = await Promise.race([answering.then(() => 'up' as const), proc.exited.then((code) => ({ exited: code }))]).catch((err: unknown) => ({ error: err }));
    if (outcome === 'up') return editorServer(port, proc);
    await proc.stop();
    if ('exited' in outcome && /EADDRINUSE/.test(proc.output()) && attempt < 3) continue;
    const why = 'exited' in outcome ? `exited with ${outcome.exited}` : String(outcome.error);
    throw new Error(`the VS Code server did not start (${why}):\n${tail(proc.output(), 3000)}`);
  }
}

function spawnServer(editor: InstalledEditor, dirs: EditorDirs, port: number, options: { env: NodeJS.ProcessEnv; logFile: string; verbose: boolean }): Spawned {
  const args = [
    editor.serverMain,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--without-connection-token',
    '--accept-server-license-terms',
    '--telemetry-level',
    'off',
    // Makes the built workbench honor `?payload=[["extensionTestsPath", …]]` (otherwise it is dev-build only).
    '--enable-smoke-test-driver',
    ...serverDirArgs(dirs),
  ];
  const proc = spawnGroup(editor.node, args, { cwd: dirs.base, env: serverEnv(options.env), logFile: options.logFile });
  if (options.verbose) {
    proc.child.stdout?.on('data', (d: Buffer) => process.stdout.write(`[server] ${d.toString()}`));
    proc.child.stderr?.on('data', (d: Buffer) => process.stdout.write(`[server] ${d.toString()}`));
  }
  return proc;
}

function editorServer(port: number, proc: Spawned): EditorServer {
  const url = `http://127.0.0.1:${port}`;
  const authority = `127.0.0.1:${port}`;
  return {
    port,
    url,
    authority,
    process: proc,
    workbenchUrl(folder, payload) {
      // A .code-workspace file opens as a (multi-root) workspace, anything else as a folder.
      const kind = folder.endsWith('.code-workspace') ? 'workspace' : 'folder';
      let u = `${url}/?${kind}=${encodeURIComponent(folder).replaceAll('%2F', '/')}`;
      if (payload && payload.length > 0) u += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
      return u;
    },
    remoteUri(absPath) {
      return `vscode-remote://${authority}${absPath.split(path.sep).map(encodeURIComponent).join('/')}`;
    },
    stop: () => proc.stop(),
  };
}
