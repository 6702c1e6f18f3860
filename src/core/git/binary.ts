// Which git executable runs: found by us on PATH, once, and always called by its absolute path.
import * as fs from 'node:fs';
import * as path from 'node:path';

const found = new Map<string, string | null>();

/**
 * The absolute path of the git executable: the first `git` (`git.exe` on Windows) in a PATH entry
 * that is absolute and outside `repository`. Called by a bare name, git would be looked up by the
 * system, which on Windows searches the current folder first and everywhere honors empty and
 * relative PATH entries (".", "bin"); both name folders of the repository git runs in, so a
 * repository could ship the `git` that runs. Null when there is none. Cached per PATH and repository.
 */
export function findGitBinary(repository: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | null {
  const windows = platform === 'win32';
  const searchPath = pathVariable(env, windows);
  const key = `${platform}\0${searchPath}\0${repository}`;
  if (!found.has(key)) found.set(key, search(searchPath, repository, windows));
  return found.get(key)!;
}

/** What to tell a user whose git could not be found. */
export function gitNotFoundMessage(repository: string): string {
  return (
    'git was not found: install git and put the folder holding it on PATH, then reload ' +
    `(only absolute PATH entries outside ${repository} are searched)`
  );
}

function pathVariable(env: NodeJS.ProcessEnv, windows: boolean): string {
  if (!windows) return env.PATH ?? '';
  // Windows environment names are case-insensitive: the variable is usually spelled "Path".
  const name = Object.keys(env).find((k) => k.toUpperCase() === 'PATH');
  return name ? env[name] ?? '' : '';
}

function search(searchPath: string, repository: string, windows: boolean): string | null {
  const pathApi = windows ? path.win32 : path.posix;
  const name = windows ? 'git.exe' : 'git';
  const inside = (dir: string): boolean => {
    const [a, b] = windows ? [dir.toLowerCase(), pathApi.resolve(repository).toLowerCase()] : [dir, pathApi.resolve(repository)];
    return a === b || a.startsWith(b.endsWith(pathApi.sep) ? b : b + pathApi.sep);
  };
  for (const raw of searchPath.split(windows ? ';' : ':')) {
    // Windows allows quoted entries ("C:\Program Files\Git\cmd").
    const entry = windows ? raw.replace(/^"(.*)"$/, '$1') : raw;
    if (!entry || !pathApi.isAbsolute(entry)) continue;
    const dir = pathApi.normalize(entry);
    if (inside(dir)) continue;
    const candidate = pathApi.join(dir, name);
    if (isExecutableFile(candidate, windows)) return candidate;
  }
  return null;
}

function isExecutableFile(file: string, windows: boolean): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    if (!windows) fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
