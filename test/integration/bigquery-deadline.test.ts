// Every BigQuery call ends by its deadline, or when its caller aborts it: the real
// @google-cloud/bigquery client against servers on 127.0.0.1 that never answer, or whose query
// never completes (the SDK then polls getQueryResults without end).
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { BigQueryApiError, createBigQueryReader } from '../../src/core/jobs/bigquery';
import { startSilentServer, type SilentServer } from '../helpers/net';

/** Bounds each test: on code without a deadline the call would wait forever. */
const TEST_TIMEOUT_MS = 10_000;

/** Answers jobs.query and every getQueryResults poll with "not complete yet", counting the polls. */
async function startNeverCompletingBigQuery(): Promise<{ url: string; polls: () => number; close: () => Promise<void> }> {
  let polls = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const jobReference = { projectId: 'p', jobId: 'job_never', location: 'US' };
      if (req.method === 'GET' && /\/queries\/job_never/.test(req.url ?? '')) polls += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'bigquery#queryResponse', jobReference, jobComplete: false }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    polls: () => polls,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('BigQuery reader: deadlines and aborts', () => {
  let silent: SilentServer;

  before(async () => {
    silent = await startSilentServer();
  });
  after(async () => {
    await silent.close();
  });

  it('a query to an endpoint that never answers fails at its deadline, naming it, and lets go of the connection', { timeout: TEST_TIMEOUT_MS }, async () => {
    const reader = createBigQueryReader({ project: 'p', endpoint: silent.url, timeoutMs: 500 });
    const started = Date.now();
    await assert.rejects(reader.query('SELECT 1 AS x', {}), (err: unknown) => {
      assert.ok(err instanceof BigQueryApiError, String(err));
      assert.match(err.message, /^BigQuery did not answer the query within 0\.5 s, so the call was stopped/);
      return true;
    });
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 450 && elapsed < 1_500, `ended after ${elapsed} ms`);
    // The request was destroyed, not left waiting: nothing keeps a CLI process alive.
    for (let i = 0; i < 50 && silent.open() > 0; i++) await delay(10);
    assert.equal(silent.open(), 0, 'the connection was closed');
  });

  it("a table's streaming buffer read fails at its deadline too", { timeout: TEST_TIMEOUT_MS }, async () => {
    const reader = createBigQueryReader({ project: 'p', endpoint: silent.url, timeoutMs: 300 });
    const started = Date.now();
    await assert.rejects(reader.streamingBuffer('my-project.dataset.table'), /BigQuery did not answer reading my-project\.dataset\.table within 0\.3 s/);
    assert.ok(Date.now() - started < 1_300);
  });

  it("the SDK's polling of a query that never completes stops at the deadline: no poll after it", { timeout: TEST_TIMEOUT_MS }, async () => {
    const bigquery = await startNeverCompletingBigQuery();
    try {
      const reader = createBigQueryReader({ project: 'p', endpoint: bigquery.url, timeoutMs: 800 });
      await assert.rejects(reader.query('SELECT 1 AS x', {}), /did not answer the query within 0\.8 s/);
      assert.ok(bigquery.polls() > 0, 'the SDK polled getQueryResults');
      const atDeadline = bigquery.polls();
      await delay(200);
      assert.ok(bigquery.polls() <= atDeadline + 1, `still polling after the deadline: ${atDeadline} then ${bigquery.polls()}`);
    } finally {
      await bigquery.close();
    }
  });

  it("the caller's signal aborts a call at once, with the signal's reason", { timeout: TEST_TIMEOUT_MS }, async () => {
    const reader = createBigQueryReader({ project: 'p', endpoint: silent.url, timeoutMs: 60_000 });
    const controller = new AbortController();
    const query = reader.query('SELECT 1 AS x', {}, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('canceled by the user')), 100);
    const started = Date.now();
    await assert.rejects(query, /canceled by the user/);
    assert.ok(Date.now() - started < 1_000);
  });
});
