// Hostile text stays text: commit subjects and authors (real git), API error bodies and revision
// messages (the emulated Cloud Run API), log payloads (the emulated Logging API) and query results
// (the emulated BigQuery API) carrying ESC, OSC, CSI and BEL reach the CLI's human output escaped,
// while our own colors still work and --json stays exact.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main } from '../../src/cli/main';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { createTempRepo, type TempRepo } from '../helpers/repo';

const PROJECT = 'demo-project';
const REGION = 'us-west2';

// Retitles the terminal (OSC 0 … BEL), plants a hyperlink (OSC 8 … ST), clears the screen (CSI 2J),
// moves the cursor home with a C1 CSI, and overwrites the line with a lone CR.
const RETITLE = '\x1b]0;pwned\x07';
const HYPERLINK = '\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\';
const CLEAR = '\x1b[2J';
const C1_HOME = '\u009bH';
const OVERWRITE = 'looks fine\rall good';
const HOSTILE = `${RETITLE}${HYPERLINK}${CLEAR}${C1_HOME}${OVERWRITE}`;
const HOSTILE_SHOWN = '\\x1b]0;pwned\\x07\\x1b]8;;https://evil.example/\\x1b\\click\\x1b]8;;\\x1b\\\\x1b[2J\\u009bHlooks fine\\x0dall good';

/** Control characters other than newline and tab, except ESC starting one of our SGR colors. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /\x1b(?!\[[0-9;]*m)|[\u0000-\u0008\u000b-\u001a\u001c-\u001f\u007f-\u009f]/;

interface Captured {
  code: number;
  out: string;
  err: string;
}

describe('hostile text in the CLI human output', () => {
  let repo: TempRepo;
  let emulator: RunningEmulator;
  let config: string;
  let saved: string | undefined;

  const run = async (args: string[], color: boolean): Promise<Captured> => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main([...args, '--config', config], { out: (t) => out.push(t), err: (t) => err.push(t), color });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  before(async () => {
    // No cache folder: every run reads the emulator.
    saved = process.env.CLOUD_RUN_DRIFT_CACHE_DIR;
    process.env.CLOUD_RUN_DRIFT_CACHE_DIR = '';
    repo = createTempRepo('crd-hostile-');
    const old = repo.commit('initial', { 'api/main.py': '1', 'web/index.html': '1' });
    repo.write('api/main.py', '2');
    repo.git('add', '-A');
    repo.git('commit', '-q', '--author', `Mallory${CLEAR} <m@example.com>`, '-m', `api: ${HOSTILE}`);
    emulator = await startEmulator({
      port: 0,
      scenario: {
        run: {
          services: [
            { project: PROJECT, region: REGION, name: 'api', revisions: [{ name: 'api-00001-aaa', labels: { 'commit-sha': old.slice(0, 8) } }] },
            {
              project: PROJECT,
              region: REGION,
              name: 'web',
              revisions: [
                { name: 'web-00001-aaa', labels: { 'commit-sha': old.slice(0, 8) } },
                { name: 'web-00002-bbb', labels: { 'commit-sha': old.slice(0, 8) }, ready: false, message: `container failed: ${HOSTILE}` },
              ],
              traffic: [{ revision: 'web-00001-aaa', percent: 100 }],
            },
          ],
        },
        logging: {
          project: PROJECT,
          location: REGION,
          entries: [{ insertId: 'h1', service: 'api', revision: 'api-00001-aaa', timestamp: new Date(Date.now() - 60_000).toISOString(), severity: 'ERROR', textPayload: `first line ${HOSTILE}\nsecond\tline` }],
        },
      },
    });
    config = path.join(repo.dir, 'cloud-run-drift.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        project: PROJECT,
        region: REGION,
        services: { api: { paths: ['api'] }, web: { paths: ['web'] } },
        jobs: { report: { command: 'true', scoreboard: `SELECT 'cell ${HOSTILE.replace(/\\/g, '\\\\')}' AS note, 1 AS n` } },
        endpoints: { run: emulator.httpUrl, logging: emulator.grpcAddress, bigquery: emulator.httpUrl },
      }),
    );
  });
  after(async () => {
    if (saved === undefined) delete process.env.CLOUD_RUN_DRIFT_CACHE_DIR;
    else process.env.CLOUD_RUN_DRIFT_CACHE_DIR = saved;
    await emulator?.close();
    repo?.cleanup();
  });

  it('check --verbose: commit subject, author and revision message are shown escaped; our colors stay', async () => {
    const { code, out, err } = await run(['check', '--verbose', '--repo', repo.dir], true);
    assert.equal(code, 1, err);
    assert.doesNotMatch(out, RAW_CONTROL, JSON.stringify(out));
    assert.ok(out.includes(`api: ${HOSTILE_SHOWN} (Mallory\\x1b[2J, `), JSON.stringify(out));
    assert.ok(out.includes(`container failed: ${HOSTILE_SHOWN}`), JSON.stringify(out));
    assert.ok(out.includes('\x1b[33m✗ api'), 'the stale service is still painted yellow');
    assert.ok(out.includes('\x1b[31m✗ web'), 'the failed deploy is still painted red');
  });

  it('check: an API error body is shown escaped; without color there is no ESC at all', async () => {
    await emulator.control('faults', { rules: [{ api: 'run', service: 'web', httpStatus: 503, message: `backend says ${HOSTILE}`, times: 20 }] });
    try {
      const { code, out } = await run(['check', '--repo', repo.dir], false);
      assert.equal(code, 3, out);
      assert.ok(out.includes(`backend says ${HOSTILE_SHOWN}`), JSON.stringify(out));
      assert.ok(!out.includes('\x1b'), out);
    } finally {
      await emulator.control('clear-faults', {});
    }
  });

  it('check --json keeps the subject exactly', async () => {
    const { out } = await run(['check', '--json', '--repo', repo.dir], true);
    const api = (JSON.parse(out) as { services: { name: string; commits: { subject: string }[] }[] }).services.find((s) => s.name === 'api')!;
    assert.equal(api.commits[0]!.subject, `api: ${HOSTILE}`);
  });

  it('verify: the API error is shown escaped', async () => {
    await emulator.control('faults', { rules: [{ api: 'run', service: 'api', httpStatus: 403, message: `denied ${HOSTILE}`, times: 20 }] });
    try {
      const { code, err } = await run(['verify', 'api', '--timeout', '0', '--repo', repo.dir], true);
      assert.equal(code, 3, err);
      assert.ok(err.includes(`denied ${HOSTILE_SHOWN}`), JSON.stringify(err));
      assert.doesNotMatch(err, RAW_CONTROL);
    } finally {
      await emulator.control('clear-faults', {});
    }
  });

  it('logs: a payload is shown escaped, keeping its newline and tab; --json is exact', async () => {
    const human = await run(['logs', 'api'], true);
    assert.equal(human.code, 0, human.err);
    assert.doesNotMatch(human.out, RAW_CONTROL, JSON.stringify(human.out));
    assert.match(human.out, new RegExp(`\\x1b\\[31mERROR {4}\\x1b\\[0m api-00001-aaa first line ${HOSTILE_SHOWN.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}\nsecond\tline$`));
    const json = await run(['logs', 'api', '--json'], true);
    assert.equal((JSON.parse(json.out) as { text: string }).text, `first line ${HOSTILE}\nsecond\tline`);
  });

  it('scoreboard: cell values are shown escaped, the columns still line up; --json is exact', async () => {
    const table = await run(['scoreboard', 'report'], true);
    assert.equal(table.code, 0, table.err);
    assert.doesNotMatch(table.out, RAW_CONTROL);
    const lines = table.out.split('\n');
    assert.equal(lines[2], `cell ${HOSTILE_SHOWN}  1`);
    assert.equal(lines[1], `${'-'.repeat(`cell ${HOSTILE_SHOWN}`.length)}  -`);
    const json = await run(['scoreboard', 'report', '--json'], true);
    assert.deepEqual(JSON.parse(json.out), [{ note: `cell ${HOSTILE}`, n: 1 }]);
  });
});
