// Whether a file is the current user's own: not owned by another user, and not writable by others. What another
// user could have written is not trusted: cloud-run-drift.json decides where credentials and deploy commands go,
// and the CLI's caches hold code and facts that decide verdicts. POSIX only; Windows has no uid.

export interface UserIdentity {
  uid: number;
  /** The user's primary group. */
  gid: number;
}

/** The user this process runs as; null where files have no POSIX owner (Windows). */
export function currentUser(): UserIdentity | null {
  if (typeof process.getuid !== 'function' || typeof process.getgid !== 'function') return null;
  return { uid: process.getuid(), gid: process.getgid() };
}

export interface FileOwnership {
  uid: number;
  gid: number;
  mode: number;
}

/** Why a file is not the user's own. */
export type ForeignFile = { kind: 'owner'; owner: number; user: number } | { kind: 'writable'; mode: string };

const GROUP_WRITE = 0o020;
const OTHERS_WRITE = 0o002;

/**
 * Null when `stat` describes a file that is `user`'s own (always, without POSIX owners). With `privateGroupMayWrite`,
 * group write is accepted for the user's own private group (the primary group, numbered like the user: what
 * distributions that create a group per user, and set umask 002 for it, give each file the user creates, such as
 * a checkout), since no one else is in it. Files we create ourselves are never group-writable: they do without it.
 */
export function foreignFile(stat: FileOwnership, user: UserIdentity | null, options: { privateGroupMayWrite: boolean }): ForeignFile | null {
  if (user === null) return null;
  if (stat.uid !== user.uid) return { kind: 'owner', owner: stat.uid, user: user.uid };
  const privateGroup = options.privateGroupMayWrite && stat.gid === user.gid && user.gid === user.uid;
  if ((stat.mode & OTHERS_WRITE) !== 0 || ((stat.mode & GROUP_WRITE) !== 0 && !privateGroup)) {
    return { kind: 'writable', mode: (stat.mode & 0o777).toString(8).padStart(4, '0') };
  }
  return null;
}
