import * as assert from 'node:assert/strict';
import type { CheckResult, CommitInfo, ServiceVerdict } from '../../src/core/model';

/** The verdict of the unit `name` in `result`; fails the test when there is none. */
export function verdictNamed(result: CheckResult, name: string): ServiceVerdict {
  const found = result.services.find((s) => s.name === name);
  assert.ok(found, `no verdict for ${name}`);
  return found;
}

/** A commit's fields as a plain object, or null: a walk's commits read theirs from its bytes, so compare them as this. */
export function plainCommit(commit: CommitInfo | null | undefined): CommitInfo | null {
  return commit ? { sha: commit.sha, subject: commit.subject, author: commit.author, date: commit.date } : null;
}
