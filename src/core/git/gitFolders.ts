// A work tree's git folders, and what can be read from them without starting git: whether the
// clone is shallow, and the commit HEAD names. Starting a git process holds the event loop for
// 5-40 ms (see spawnTurn in command.ts); a refresh asks both every time. Where the layout is not
// one read here (a reftable repository, a ref name out of the ordinary), the answer is null and
// the caller asks git.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathExists } from '../platform/pathExists';

export interface GitFolders {
  /** The work tree's own git folder: `.git`, or the one a `.git` file names (a worktree, a submodule). */
  gitDir: string;
  /** The folder holding the objects and the shared refs: `gitDir` itself, or the one its `commondir` names. */
  commonDir: string;
  /** The repository's object format (`extensions.objectFormat` in its config): the length of its SHAs. */
  objectFormat: 'sha1' | 'sha256';
  /** Whether its refs are in a reftable (a `reftable` folder), which is not read here. */
  reftable: boolean;
}

/** As git reads a `.git` file and `commondir`: the line's end (CR, LF) is not part of the value; spaces are. */
function valueLine(text: string): string {
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
      const named = /^gitdir: (.+)$/.exec(valueLine((await readIfPresent(dotGit))?.toString('utf8') ?? ''))?.[1];
      if (!named) return null;
      gitDir = path.resolve(root, named);
      if (!(await fs.promises.stat(gitDir)).isDirectory()) return null;
    }
    const common = await readIfPresent(path.join(gitDir, 'commondir'));
    const commonDir = common === null ? gitDir : path.resolve(gitDir, valueLine(common.toString('utf8')));
    if (!(await fs.promises.stat(commonDir)).isDirectory()) return null;
    // The one key of that name is in [extensions]; git reads it from this file alone, no includes.
    const config = (await readIfPresent(path.join(commonDir, 'config')))?.toString('utf8') ?? '';
    return {
      gitDir,
      commonDir,
      objectFormat: /^\s*objectformat\s*=\s*sha256\s*$/im.test(config) ? 'sha256' : 'sha1',
      reftable: await pathExists(path.join(commonDir, 'reftable')),
    };
  } catch {
    return null;
  }
}

/** Where git keeps the list of a shallow clone's boundary commits: present only in a shallow clone. */
export function shallowFile(folders: GitFolders): string {
  return path.join(folders.commonDir, 'shallow');
}

/** A ref name read here: under refs/, of plain characters. Any other is left to git. */
const PLAIN_REF = /^refs\/(?:[A-Za-z0-9_+@-][A-Za-z0-9._+@-]*\/)*[A-Za-z0-9_+@-][A-Za-z0-9._+@-]*$/;
/** What git refuses of those (check-ref-format): `..`, a component ending in `.` or in `.lock`. */
const REFUSED_REF = /\.\.|\.lock(?:\/|$)|\.(?:\/|$)/;
/** Refs each worktree has its own of, in its own git folder; every other ref is shared. */
const PER_WORKTREE = /^refs\/(?:bisect|worktree|rewritten)\//;
/** How many refs are read to resolve HEAD, HEAD itself the first (git's SYMREF_MAXDEPTH). */
const MAX_READS = 5;

/**
 * The SHA HEAD names, read as git reads it: HEAD in the work tree's git folder, then each ref it
 * names, loose (a file of its own, not a symbolic link) before packed (`packed-refs`), five refs at
 * most. Null when the files do not tell, or tell what git would refuse: no commit yet (the branch
 * has no ref), a reftable repository, a ref name out of the ordinary, a file holding more than its
 * one value, a SHA of the other object format. The object itself is not looked at: a ref naming
 * something other than a commit (which git's own commands do not write) is taken at its word.
 */
export async function headFromFiles(folders: GitFolders): Promise<string | null> {
  try {
    if (folders.reftable) return null;
    const digits = folders.objectFormat === 'sha256' ? 64 : 40;
    const sha = new RegExp(`^[0-9a-f]{${digits}}$`);
    let content = await readIfPresent(path.join(folders.gitDir, 'HEAD'), { noFollow: true });
    for (let read = 1; content !== null; read++) {
      const value = refValue(content);
      if (value === null) return null;
      if (sha.test(value)) return value;
      const ref = /^ref: (.+)$/.exec(value)?.[1];
      if (!ref || !PLAIN_REF.test(ref) || REFUSED_REF.test(ref) || read === MAX_READS) return null;
      const folder = PER_WORKTREE.test(ref) ? folders.gitDir : folders.commonDir;
      content = await readIfPresent(path.join(folder, ...ref.split('/')), { noFollow: true });
      if (content === null) return await packedRef(folders.commonDir, ref, digits);
    }
    return null;
  } catch {
    return null;
  }
}

/** A loose ref's value: its text without the whitespace git trims from its end; null when that leaves more than one line. */
function refValue(content: Buffer): string | null {
  const value = content.toString('utf8').replace(/\s+$/, '');
  return /[\r\n]/.test(value) ? null : value;
}

/**
 * The SHA `packed-refs` gives `ref`; null when it has none. Its bytes are searched for the line
 * (`<sha> <ref>` and a newline, as git writes them) without being decoded whole: the file may
 * hold a repository's every tag.
 */
async function packedRef(commonDir: string, ref: string, digits: number): Promise<string | null> {
  const packed = await readIfPresent(path.join(commonDir, 'packed-refs'));
  if (packed === null) return null;
  const line = Buffer.from(` ${ref}\n`, 'utf8');
  for (let at = packed.indexOf(line); at >= 0; at = packed.indexOf(line, at + 1)) {
    const start = at - digits;
    if (start < 0 || (start > 0 && packed[start - 1] !== 0x0a)) continue;
    const found = packed.toString('latin1', start, at);
    if (/^[0-9a-f]+$/.test(found)) return found;
  }
  return null;
}

/** Larger than any ref file or packed-refs this reads (git's own are bytes to tens of megabytes). */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/**
 * A regular file's bytes; null when there is none. Throws for anything else in its place: a FIFO
 * (opened without waiting for a writer, never read), a device, a file past MAX_FILE_BYTES, and
 * with `noFollow` a symbolic link (git reads a link in a ref's place as a symbolic ref: git is
 * asked instead). A read of the repository's files must end, whatever the repository holds: git,
 * asked instead, has a deadline.
 */
async function readIfPresent(file: string, options: { noFollow?: boolean } = {}): Promise<Buffer | null> {
  let handle: fs.promises.FileHandle;
  try {
    const flags = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (options.noFollow ? fs.constants.O_NOFOLLOW ?? 0 : 0);
    handle = await fs.promises.open(file, flags);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile() || stat.size > MAX_FILE_BYTES) throw new Error(`${file} is not a file git would write`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
