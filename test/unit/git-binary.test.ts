// Which git runs: always the one found on PATH by absolute path, never one the repository ships.
// Real git and a real temporary repository holding executables named `git`.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GitRepository } from '../../src/core/git/repository';
import { findGitBinary } from '../../src/core/git/binary';
import { createTempRepo, type TempRepo } from '../helpers/repo';

describe('the git that runs', { skip: process.platform === 'win32' && 'POSIX executables' }, () => {
  let repo: TempRepo;
  let realGit: string;
  let marker: string;
  const originalPath = process.env.PATH ?? '';

  before(() => {
    repo = createTempRepo();
    repo.commit('base', { 'a.txt': '1' });
    marker = path.join(repo.dir, 'the-repository-git-ran');
    // A repository shipping `git` at its root (the folder git runs in) and in bin/.
    for (const dir of [repo.dir, path.join(repo.dir, 'bin')]) {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'git'), `#!/bin/sh\ntouch '${marker}'\nexit 1\n`, { mode: 0o755 });
    }
    const dir = originalPath.split(':').find((d) => path.isAbsolute(d) && fs.existsSync(path.join(d, 'git')));
    assert.ok(dir, 'git is on PATH');
    realGit = path.join(dir, 'git');
  });
  after(() => {
    process.env.PATH = originalPath;
    repo.cleanup();
  });

  it('is taken from an absolute PATH entry, never from an empty, relative or repository one', () => {
    const searchPath = ['', '.', 'bin', path.join(repo.dir, 'bin'), repo.dir, path.dirname(realGit)].join(':');
    assert.equal(findGitBinary(repo.dir, { PATH: searchPath }, 'linux'), realGit);
    assert.equal(findGitBinary(path.join(repo.dir, 'bin'), { PATH: `${repo.dir}:${path.dirname(realGit)}` }, 'linux'), path.join(repo.dir, 'git'), 'a folder outside the repository is fine');
  });

  it('runs the real git when the repository root, where git runs, holds an executable named git and PATH names "."', async () => {
    const head = repo.head(); // the helper's own git is looked up through PATH
    process.env.PATH = `.::${originalPath}`;
    try {
      const git = await GitRepository.open(repo.dir);
      assert.equal(await git.head(), head);
      assert.deepEqual((await git.changedPaths()).sort(), ['bin/git', 'git'], 'git status too');
    } finally {
      process.env.PATH = originalPath;
    }
    assert.equal(fs.existsSync(marker), false, "the repository's own git ran");
  });

  it('is not found when PATH has git only inside the repository, and opening says how to fix it', async () => {
    assert.equal(findGitBinary(repo.dir, { PATH: `.:bin:${path.join(repo.dir, 'bin')}` }, 'linux'), null);
    assert.equal(findGitBinary(repo.dir, { Path: `.;bin;${repo.dir}` }, 'win32'), null, 'Windows: "Path", relative entries and the repository skipped');
    process.env.PATH = `.:${path.join(repo.dir, 'bin')}`;
    try {
      await assert.rejects(GitRepository.open(repo.dir), /^GitError: git was not found: install git and put the folder holding it on PATH/);
    } finally {
      process.env.PATH = originalPath;
    }
    assert.equal(fs.existsSync(marker), false);
  });
});
