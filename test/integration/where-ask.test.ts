// askWhere's requests and git processes: the revision histories of the units a commit touches are
// asked for while the check's own reads are still out (not after them), the answer is the one the
// histories give, and git runs little beyond what the check runs. Real git, the real Run and Functions clients against the emulator; the reader is
// wrapped only to hold the check's answers back and to see what is asked when.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCloudRunReader, type CloudRunReader } from '../../src/core/google/cloudrun';
import { parseConfig, type DriftConfig } from '../../src/core/config';
import { GitError, GitRepository } from '../../src/core/git/repository';
import { checkServices } from '../../src/core/check';
import { askWhere } from '../../src/core/where/ask';
import type { WhereAnswer } from '../../src/core/where/live';
import { releaseAll, startRunEmulator, type RunEmulator } from '../helpers/emulatorCheck';
import { createFixScenario, label } from '../helpers/fixScenario';
import type { TempRepo } from '../helpers/repo';

const PROJECT = 'ask-project';
const REGION = 'us-west2';
/** How long the check's answers are held at most when no history is asked for (the failure case). */
const HOLD_MS = 1500;

interface Watched {
  reader: CloudRunReader;
  /** Each history asked for: the service, and whether a lookup of the check had answered by then. */
  histories: { service: string; checkAnswered: boolean }[];
  /** Lets the check's lookups answer. */
  open: () => void;
  checkAnswered: () => boolean;
}

/**
 * The real reader; the check's lookups answer only once `open()` is called (by default when a
 * history is asked for) or HOLD_MS have passed (the failure case: what was awaited never came).
 */
function watchedReader(inner: CloudRunReader, { openOnHistory = true } = {}): Watched {
  const histories: Watched['histories'] = [];
  let checkAnswered = false;
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const timer = setTimeout(open, HOLD_MS);
  const held = async <T>(read: Promise<T>): Promise<T> => {
    const [value] = await Promise.all([read, gate]);
    checkAnswered = true;
    return value;
  };
  return {
    histories,
    open,
    checkAnswered: () => checkAnswered,
    reader: {
      lookupService: (ref, options) => held(inner.lookupService(ref, options)),
      lookupFunction: (ref, options) => held(inner.lookupFunction!(ref, options)),
      lookupJob: (ref, options) => held(inner.lookupJob!(ref, options)),
      listServices: (project, region) => inner.listServices(project, region),
      listRevisions: (ref, limit) => {
        histories.push({ service: ref.name, checkAnswered });
        if (openOnHistory) open();
        return inner.listRevisions!(ref, limit);
      },
      close: () => {
        clearTimeout(timer);
        return inner.close();
      },
    },
  };
}

describe('askWhere: the histories are read beside the check', () => {
  let repo: TempRepo;
  let emulator: RunEmulator;
  let config: DriftConfig;
  const c: Record<string, string> = {};

  before(async () => {
    const fix = createFixScenario({ baseFiles: { 'web/index.html': '1\n' }, grader: true });
    repo = fix.repo;
    Object.assign(c, fix.c);
    c.later = repo.commit('api: later, not deployed', { 'api/main.py': '3\n' }, new Date('2026-01-01T01:00:00Z'));
    emulator = await startRunEmulator({
      project: PROJECT,
      region: REGION,
      services: [
        ...fix.services,
        { name: 'web', revisions: [{ name: 'web-00001-aaa', labels: label(c.base!), createTime: '2026-01-01T00:05:00Z' }] },
        // A service under the name the function grader suggests exists too, and is no history of it.
        { name: 'grader', revisions: [{ name: 'grader-00001-aaa', labels: label(c.fix!), createTime: '2026-01-01T00:12:00Z' }] },
      ],
      functions: fix.functions,
    });
    config = parseConfig(
      JSON.stringify({
        project: PROJECT,
        region: REGION,
        services: { api: { paths: ['api'] }, web: { paths: ['web'] }, grader: { kind: 'function', paths: ['grader'] } },
        endpoints: { run: emulator.httpUrl, functions: emulator.httpUrl },
      }),
      `${repo.dir}/cloud-run-drift.json`,
    );
  });
  after(() => releaseAll(emulator, repo));

  it('asks for the histories of the units the commit touches before the check has answered; live since the first revision that carried it', async () => {
    const { reader, histories } = watchedReader(createCloudRunReader(config.endpoints));
    try {
      const { answer } = await askWhere(config, { reader, git: await GitRepository.open(repo.dir) }, { kind: 'commit', commitish: c.fix! });
      assert.ok(answer);
      const api = answer.units.find((u) => u.name === 'api')!;
      assert.deepEqual([api.state, api.revision, api.since], ['live', 'api-00002-bbb', '2026-01-01T00:15:00.000Z']);
      assert.equal(answer.units.find((u) => u.name === 'web')!.state, 'not-affected');
      const asked = histories.find((h) => h.service === 'api');
      assert.ok(asked, `api's history was read (${JSON.stringify(histories)})`);
      assert.equal(asked.checkAnswered, false, 'api\'s history was asked for while the check was still reading');
      assert.equal(histories.some((h) => h.service === 'web'), false, 'web is not touched: its history is not read');
    } finally {
      await reader.close();
    }
  });

  it('a commit no unit serves yet: git runs what the check runs, and one git log for the commit (nothing is resolved or walked for histories not needed)', async () => {
    const traceDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-trace-'));
    const commandsOf = async (run: (git: GitRepository, reader: CloudRunReader) => Promise<unknown>): Promise<string[]> => {
      const trace = path.join(traceDir, `${Math.random()}.trace`);
      const reader = createCloudRunReader(config.endpoints);
      process.env.GIT_TRACE = trace;
      try {
        await run(await GitRepository.open(repo.dir), reader);
      } finally {
        delete process.env.GIT_TRACE;
        await reader.close();
      }
      return fs.readFileSync(trace, 'utf8').split('\n').flatMap((line) => / trace: built-in: git (.*)$/.exec(line)?.[1] ?? []).sort();
    };
    try {
      const checkAlone = await commandsOf((git, reader) => checkServices(config, { git, reader }));
      let answer: WhereAnswer | null = null;
      const where = await commandsOf(async (git, reader) => (answer = (await askWhere(config, { git, reader }, { kind: 'commit', commitish: c.later! })).answer));
      assert.deepEqual(answer!.units.filter((u) => u.state !== 'not-affected').map((u) => [u.name, u.state]), [['api', 'not-yet-live']]);
      const extra = [...where];
      for (const command of checkAlone) extra.splice(extra.indexOf(command), 1);
      assert.deepEqual(extra.map((command) => command.split(' ').slice(0, 2).join(' ')), ['log -1'], where.join('\n'));
    } finally {
      fs.rmSync(traceDir, { recursive: true, force: true });
    }
  });

  it('reads HEAD without a git process (for the check and the question), and a commit-ish with its files in one', async () => {
    const traceDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-trace-'));
    const trace = path.join(traceDir, 'git.trace');
    const reader = createCloudRunReader(config.endpoints);
    process.env.GIT_TRACE = trace;
    try {
      const { answer } = await askWhere(config, { reader, git: await GitRepository.open(repo.dir) }, { kind: 'commit', commitish: 'main~2' });
      assert.equal(answer!.commit.sha, c.fix);
      const commands = fs.readFileSync(trace, 'utf8').split('\n').flatMap((line) => / trace: built-in: git (.*)$/.exec(line)?.[1] ?? []);
      // HEAD is read from the git folder's files.
      assert.equal(commands.filter((command) => /^rev-parse .*'HEAD\^\{commit\}'$/.test(command)).length, 0, commands.join('\n'));
      assert.deepEqual(commands.filter((command) => command.includes('main~2')), [commands.find((command) => command.startsWith('log -1 '))], commands.join('\n'));
    } finally {
      delete process.env.GIT_TRACE;
      await reader.close();
      fs.rmSync(traceDir, { recursive: true, force: true });
    }
  });

  it('a commit-ish with its files: a branch, a tag, a short SHA; null for a name that is no commit (a missing one, a file); an option refused', async () => {
    const git = await GitRepository.open(repo.dir);
    repo.git('tag', '-a', '-m', 'fix', 'v-fix', c.fix!);
    try {
      for (const name of ['main~2', 'v-fix', c.fix!.slice(0, 10)]) {
        const found = await git.commitishWithFiles(name);
        assert.deepEqual([found?.commit.sha, found?.commit.subject, found?.files], [c.fix, 'api, grader: fix the MERGE', ['api/main.py', 'grader/main.py']], name);
      }
      assert.equal(await git.commitishWithFiles('no-such-branch'), null);
      assert.equal(await git.commitishWithFiles('HEAD:api/main.py'), null);
      await assert.rejects(git.commitishWithFiles('--output=/tmp/x'), /not a commit/);
    } finally {
      repo.git('tag', '-d', 'v-fix');
    }
  });

  it('reads Cloud Run while the repository is still opening (the CLI) and gives the same answer; a repository that cannot be opened fails it with its error', { timeout: 15_000 }, async () => {
    const inner = createCloudRunReader(config.endpoints);
    // The repository is opened only once the check has read a unit: an answer that waited for it first never would come.
    let read!: () => void;
    const firstRead = new Promise<void>((resolve) => (read = resolve));
    let lookups = 0;
    const reader: CloudRunReader = {
      lookupService: (ref, options) => (lookups++, read(), inner.lookupService(ref, options)),
      lookupFunction: (ref, options) => (lookups++, read(), inner.lookupFunction!(ref, options)),
      listServices: (project, region) => inner.listServices(project, region),
      listRevisions: (ref, limit) => inner.listRevisions!(ref, limit),
      close: () => inner.close(),
    };
    try {
      const { answer } = await askWhere(config, { reader, git: firstRead.then(() => GitRepository.open(repo.dir)) }, { kind: 'commit', commitish: c.fix! });
      const api = answer!.units.find((u) => u.name === 'api')!;
      assert.deepEqual([api.state, api.revision, api.since], ['live', 'api-00002-bbb', '2026-01-01T00:15:00.000Z']);
      lookups = 0;
      const refused = new GitError(`${repo.dir}/nowhere is not inside a git repository`, [], null, 'fatal: not a git repository');
      await assert.rejects(
        askWhere(config, { reader, git: Promise.reject(refused) }, { kind: 'commit', commitish: c.fix! }),
        (err) => err === refused,
      );
      assert.ok(lookups > 0, 'Cloud Run was read before the repository failed');
    } finally {
      await inner.close();
    }
  });

  it('a function on a service its name does not suggest: the history of the service it runs on, not of the one under its name', async () => {
    const { reader, histories } = watchedReader(createCloudRunReader(config.endpoints));
    try {
      const { answer } = await askWhere(config, { reader, git: await GitRepository.open(repo.dir) }, { kind: 'commit', commitish: c.fix! });
      const grader = answer!.units.find((u) => u.name === 'grader')!;
      assert.deepEqual([grader.state, grader.revision, grader.since], ['live', 'grader-svc-00001-aaa', '2026-01-01T00:40:00.000Z']);
      assert.ok(histories.some((h) => h.service === 'grader-svc'));
    } finally {
      await reader.close();
    }
  });
});
