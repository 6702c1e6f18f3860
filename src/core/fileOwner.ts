// Whether a configuration file is the current user's own. cloud-run-drift.json decides where the user's
// credentials and deploy commands go, so a file someone else owns, or can write, is not read: another user could
// have planted it (in a shared folder above a checkout) or could change it. POSIX only; Windows has no uid.

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

const GROUP_WRITE = 0o020;
const OTHERS_WRITE = 0o002;

/**
 * Why `file` must not be trusted by `user`, or null when it may be. Group write is accepted only for the user's
 * own private group (the primary group, numbered like the user: what distributions that create a group per
 * user, and set umask 002 for it, give each file the user creates), since no one else is in it.
 */
export function untrustedFileReason(file: string, stat: FileOwnership, user: UserIdentity | null): string | null {
  if (user === null) return null;
  if (stat.uid !== user.uid) {
    return `refusing to read a configuration owned by another user (uid ${stat.uid}; you are uid ${user.uid}): it decides where your Google credentials and deploy commands go. If you trust it, make it yours: chown ${user.uid} ${JSON.stringify(file)}`;
  }
  const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
  const privateGroup = stat.gid === user.gid && user.gid === user.uid;
  if ((stat.mode & OTHERS_WRITE) !== 0 || ((stat.mode & GROUP_WRITE) !== 0 && !privateGroup)) {
    return `refusing to read a configuration that other users can write (mode ${mode}): it decides where your Google credentials and deploy commands go. Run: chmod go-w ${JSON.stringify(file)}`;
  }
  return null;
}
