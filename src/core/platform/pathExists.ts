import * as fs from 'node:fs/promises';

/**
 * Whether something has this name: a file, a folder, or a symbolic link (even one that points
 * nowhere, which is still a name taken).
 */
export async function pathExists(file: string): Promise<boolean> {
  return fs.lstat(file).then(
    () => true,
    () => false,
  );
}
