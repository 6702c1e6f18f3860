// The repositories of the benchmarks' in-editor refreshes, opened as the extension opens them:
// git below normal priority, started in the editor's helper process (dist/git-helper.js, built by
// `npm run bench`).
import * as path from 'node:path';
import { GitHelper } from '../src/core/git/helper/client';
import { GitRepository } from '../src/core/git/repository';

const helper = new GitHelper(path.join(__dirname, '..', 'dist', 'git-helper.js'));

export function openAsEditor(dir: string): Promise<GitRepository> {
  return GitRepository.open(dir, { background: true, helper });
}
