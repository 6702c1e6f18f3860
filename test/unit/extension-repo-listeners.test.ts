import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RepoListeners } from '../../src/extension/session/repoListeners';

describe('RepoListeners', () => {
  it('subscribes once per repository, drops those that are gone, and disposes the rest', () => {
    const log: string[] = [];
    const listeners = new RepoListeners<{ root: string }>((repo) => {
      log.push(`+${repo.root}`);
      return { dispose: () => log.push(`-${repo.root}`) };
    });
    listeners.sync([{ root: '/a' }, { root: '/b' }]);
    listeners.sync([{ root: '/a' }, { root: '/b' }]);
    assert.deepEqual(log, ['+/a', '+/b']);
    listeners.sync([{ root: '/b' }, { root: '/c' }]);
    assert.deepEqual(log, ['+/a', '+/b', '-/a', '+/c']);
    listeners.dispose();
    assert.deepEqual(log.slice(4).sort(), ['-/b', '-/c']);
  });
});
