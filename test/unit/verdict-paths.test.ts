import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { touchesPaths, type RangeFacts } from '../../src/core/git/repository';
import { commitsTouching } from '../../src/core/verdicts/verdict';

function rangeOf(fileLists: string[][]): RangeFacts {
  return {
    isAncestor: true,
    commits: fileLists.map((files, i) => ({ commit: { sha: i.toString(16).padStart(40, '0'), subject: `c${i}`, author: 'a', date: '2026-01-01T00:00:00Z' }, files })),
  };
}

/** The rule commitsTouching must keep: a plain filter with touchesPaths. */
function byFilter(range: RangeFacts, paths: string[]): string[] {
  return range.commits.filter((c) => c.files.some((f) => touchesPaths(f, paths))).map((c) => c.commit.subject);
}

describe('commitsTouching', () => {
  const range = rangeOf([
    ['shared/lib.py'],
    ['shared-old/x.py'],
    ['shared'],
    ['services/a/main.py', 'services/b/main.py'],
    ['README.md'],
    ['services/a/deep/er/file.py', 'shared/lib.py'],
    [],
    ['services/ab/main.py'],
    ['services/a'],
  ]);

  it('finds the commits touching each path, newest first, once each', () => {
    assert.deepEqual(
      commitsTouching(range, ['shared']).map((c) => c.subject),
      ['c0', 'c2', 'c5'],
    );
    assert.deepEqual(
      commitsTouching(range, ['services/a', 'shared']).map((c) => c.subject),
      ['c0', 'c2', 'c3', 'c5', 'c8'],
      'c5 touches both paths and is listed once',
    );
    assert.deepEqual(commitsTouching(range, ['services/a/deep/er/file.py']).map((c) => c.subject), ['c5']);
    assert.deepEqual(commitsTouching(range, ['services']).map((c) => c.subject), ['c3', 'c5', 'c7', 'c8']);
    assert.deepEqual(commitsTouching(range, ['nowhere']), []);
    assert.equal(commitsTouching(range, []).length, 9, 'no paths: the whole repository');
  });

  it('agrees with filtering by touchesPaths on a generated history', () => {
    const folders = ['a', 'a/b', 'a/b/c', 'ab', 'd', 'd/e'];
    let seed = 7;
    const next = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const generated = rangeOf(Array.from({ length: 400 }, () => Array.from({ length: next(4) }, () => `${folders[next(folders.length)]}/f${next(3)}.txt`)));
    const queries = [['a'], ['a/b'], ['ab'], ['a', 'd/e'], ['a/b/c/f1.txt'], ['d', 'a/b/c'], ['zz']];
    for (const paths of queries) assert.deepEqual(commitsTouching(generated, paths).map((c) => c.subject), byFilter(generated, paths), paths.join(','));
  });
});
