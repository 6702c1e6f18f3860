// A work tree's git folders, and what can be read from them without starting git: whether the
// clone is shallow, and the commit HEAD names. Starting a git process holds the event loop for
// 5-40 ms (see spawnTurn in command.ts); a refresh asks both every time. Where the layout is not
// one read here (a reftable repository, a ref name out of the ordinary), the answer is null and
// the caller asks git.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface GitFolders {
  /** The work tree's own git folder: `.git`, or the one a `.git` file names (a worktree, a submodule). */
  gitDir: string;
  /** The folder holding the objects and the shared refs: `gitDir` itself, or the one its `commondir` names. */
  commonDir: string;
}

/** As git reads these files: the line's end (CR, LF) is not part of the value; spaces are. */
function firstLine(text: string): string {
  return text.split('\n')[0]!.replace(/\r$/, '');
}

/**
 * The git folders of the work tree at `root`: `.git` itself, or for a worktree (or a submodule),
 * whose `.git` file names its own folder on its first line, that folder and the one its
 * `commondir` names. Null when the layout is none of these.
 */
export async function gitFoldersOf(root: string): Promise<GitFolders | null> {
  try {
    const dotGit = path.join(root, '.git');
    let gitDir = dotGit;
    if ((await fs.promises.stat(dotGit)).isFile()) {
      const named = /^gitdir: (.+)$/.exec(firstLine((await readIfPresent(dotGit)) ?? ''))?.[1];
      if (!named) return null;
      gitDir = path.resolve(root, named);
      if (!(await fs.promises.stat(gitDir)).isDirectory()) return null;
    }
    const common = await readIfPresent(path.join(gitDir, 'commondir'));
    const commonDir = common === null ? gitDir : path.resolve(gitDir, firstLine(common));
    if (!(await fs.promises.stat(commonDir)).isDirectory()) return null;
    return { gitDir, commonDir };
  } catch {
    return null;
  }
}

/** Where git keeps the list of a shallow clone's boundary commits: present only in a shallow clone. */
export function shallowFile(folders: GitFolders): string {
  return path.join(folders.commonDir, 'shallow');
}

const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
/** A ref name read here: under refs/, of plain characters, no `..`. Any other is left to git. */
const PLAIN_REF = /^refs\/(?:[A-Za-z0-9_+@-][A-Za-z0-9._+@-]*\/)*[A-Za-z0-9_+@-][A-Za-z0-9._+@-]*$/;
/** Refs each worktree has its own of, in its own git folder; every other ref is shared. */
const PER_WORKTREE = /^refs\/(?:bisect|worktree|rewritten)\//;
/** How many symbolic refs are followed (git's own limit is 5). */
const MAX_HOPS = 5;

/**
 * The SHA HEAD names, read as git reads it: HEAD in the work tree's git folder, then each ref it
 * names, loose (a file of its own) before packed (`packed-refs`). Null when the files do not tell:
 * no commit yet (the branch has no ref), a reftable repository, a ref name out of the ordinary.
 */
export async function headFromFiles(folders: GitFolders): Promise<string | null> {
  try {
    if (await exists(path.join(folders.commonDir, 'reftable'))) return null;
    const headFile = await readIfPresent(path.join(folders.gitDir, 'HEAD'));
    if (headFile === null) return null;
    let value = firstLine(headFile);
    for (let hop = 0; hop <= MAX_HOPS; hop++) {
      if (SHA.test(value)) return value;
      const ref = /^ref: (.+)$/.exec(value)?.[1];
      if (!ref || !PLAIN_REF.test(ref) || ref.split('/').includes('..')) return null;
      const folder = PER_WORKTREE.test(ref) ? folders.gitDir : folders.commonDir;
      const loose = await readIfPresent(path.join(folder, ...ref.split('/')));
      if (loose === null) return packedRef(folders.commonDir, ref);
      value = firstLine(loose);
    }
    return null;
  } catch {
    return null;
  }
}

/** The SHA `packed-refs` gives `ref`; null when it has none. */
async function packedRef(commonDir: string, ref: string): Promise<string | null> {
  const packed = await readIfPresent(path.join(commonDir, 'packed-refs'));
  if (packed === null) return null;
  for (const line of packed.split('\n')) {
    if (line.startsWith('#') || line.startsWith('^')) continue;
    const space = line.indexOf(' ');
    if (space > 0 && line.slice(space + 1).replace(/\r$/, '') === ref) {
      const sha = line.slice(0, space);
      return SHA.test(sha) ? sha : null;
    }
  }
  return null;
}

/** Larger than any ref file or packed-refs this reads (git's own are bytes to a few megabytes). */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/**
 * A regular file's text; null when there is none. Throws for anything else in its place: a FIFO
 * (opened without waiting for a writer, never read), a device, a file past MAX_FILE_BYTES. A read
 * of the repository's files must end, whatever the repository holds: git, asked instead, has a deadline.
 */
async function readIfPresent(file: string): Promise<string | null> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile() || stat.size > MAX_FILE_BYTES) throw new Error(`${file} is not a file git would write`);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

async function exists(file: string): Promise<boolean> {
  return (await fs.promises.stat(file).catch(() => null)) !== null;
}
