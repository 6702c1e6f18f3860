// Reading a tail a slice at a time (readTail in source.ts) against a scripted call, and the SDK's undecoded path:
// the decoder, and normalizing what it decodes exactly as the generated client's own objects.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { normalizeApiEntry } from '../../src/core/logs/entry';
import { GrpcStatus, normalizeInSlices, readTail, type LogApiError, type ResponseDecoder, type TailResponse } from '../../src/core/logs/source';
import * as sdk from '../../src/sdk/logging';

/** A bidi call the test drives: emit('data' | 'end' | 'error'), and a record of pause/resume/cancel. */
class ScriptedCall extends EventEmitter {
  readonly flow: string[] = [];
  cancelled = false;
  pause(): this {
    this.flow.push('pause');
    return this;
  }
  resume(): this {
    this.flow.push('resume');
    return this;
  }
  cancel(): void {
    this.cancelled = true;
  }
}

/** A decoded-shaped response of entries e<from>..e<to-1>, one second apart. */
function decodedResponse(from: number, to: number, suppressionInfo: unknown[] = []): unknown {
  const entries = [];
  for (let i = from; i < to; i++) entries.push({ insertId: `e${i}`, timestamp: { seconds: String(1000 + i), nanos: 0 }, severity: 'INFO', textPayload: `line ${i}`, payload: 'textPayload' });
  return { entries, suppressionInfo };
}

function recorder(): { responses: TailResponse[]; ends: (LogApiError | null)[]; ids: () => string[][]; handlers: { response: (r: TailResponse) => void; end: (e: LogApiError | null) => void } } {
  const responses: TailResponse[] = [];
  const ends: (LogApiError | null)[] = [];
  return {
    responses,
    ends,
    ids: () => responses.map((r) => r.entries.map((e) => e.entry.insertId)),
    handlers: { response: (r) => responses.push(r), end: (e) => ends.push(e) },
  };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await turn();
}

describe('readTail', () => {
  test('a response goes out in slices of sliceEntries, one per macrotask, in order', async () => {
    const call = new ScriptedCall();
    const { handlers, ids } = recorder();
    readTail(call, handlers, { sliceEntries: 3 });
    call.emit('data', decodedResponse(0, 7));
    assert.deepEqual(ids(), [], 'nothing is handled inside the data event');
    await turn();
    assert.deepEqual(ids(), [['e0', 'e1', 'e2']]);
    await turn();
    assert.deepEqual(ids(), [['e0', 'e1', 'e2'], ['e3', 'e4', 'e5']]);
    await turn();
    assert.deepEqual(ids(), [['e0', 'e1', 'e2'], ['e3', 'e4', 'e5'], ['e6']]);
  });

  test('a slice also ends when its time budget is spent (checked every 16 entries)', async () => {
    const call = new ScriptedCall();
    const { handlers, responses } = recorder();
    let clock = 0;
    // Every reading of the clock is 10 ms later: the budget of 3 ms is spent at the first check.
    readTail(call, handlers, { sliceEntries: 1000, sliceBudgetMs: 3, now: () => (clock += 10) });
    call.emit('data', decodedResponse(0, 40));
    await turns(3);
    assert.deepEqual(responses.map((r) => r.entries.length), [16, 16, 8]);
  });

  test('responses are read in arrival order; suppression counts go with the first slice of theirs', async () => {
    const call = new ScriptedCall();
    const { handlers, responses, ids } = recorder();
    readTail(call, handlers, { sliceEntries: 2 });
    call.emit('data', decodedResponse(0, 3));
    call.emit('data', decodedResponse(3, 6, [{ reason: 'RATE_LIMIT', suppressedCount: 7 }, { reason: 'NOT_CONSUMED', suppressedCount: '2' }]));
    call.emit('data', { entries: [], suppressionInfo: [] });
    await turns(6);
    assert.deepEqual(ids(), [['e0', 'e1'], ['e2'], ['e3', 'e4'], ['e5'], []]);
    assert.deepEqual(
      responses.map((r) => r.suppressed),
      [
        { rateLimit: 0, notConsumed: 0 },
        { rateLimit: 0, notConsumed: 0 },
        { rateLimit: 7, notConsumed: 2 },
        { rateLimit: 0, notConsumed: 0 },
        { rateLimit: 0, notConsumed: 0 },
      ],
      'an empty response is still told: it shows the tail is live',
    );
  });

  test('beyond maxQueued responses the call is paused, and resumed once half of them are read', async () => {
    const call = new ScriptedCall();
    const { handlers } = recorder();
    readTail(call, handlers, { sliceEntries: 100, maxQueued: 4 });
    for (let i = 0; i < 4; i++) call.emit('data', decodedResponse(i * 10, i * 10 + 10));
    assert.deepEqual(call.flow, ['pause']);
    await turn();
    assert.deepEqual(call.flow, ['pause'], 'three still queued');
    await turn();
    assert.deepEqual(call.flow, ['pause', 'resume']);
  });

  test('pause() holds the slices (and the call) until resume()', async () => {
    const call = new ScriptedCall();
    const { handlers, ids } = recorder();
    const handle = readTail(call, handlers, { sliceEntries: 2 });
    call.emit('data', decodedResponse(0, 4));
    await turn();
    handle.pause();
    await turns(3);
    assert.deepEqual(ids(), [['e0', 'e1']]);
    assert.deepEqual(call.flow, ['pause']);
    handle.resume();
    await turn();
    assert.deepEqual(ids(), [['e0', 'e1'], ['e2', 'e3']]);
    assert.deepEqual(call.flow, ['pause', 'resume']);
  });

  test('the end is told after the last slice of what arrived; an error wins over a clean end not yet told', async () => {
    const call = new ScriptedCall();
    const { handlers, ids, ends } = recorder();
    readTail(call, handlers, { sliceEntries: 2 });
    call.emit('data', decodedResponse(0, 5));
    call.emit('end');
    await turn();
    // The clean end is known by now, but two slices are still to go: the status that follows replaces it.
    call.emit('error', Object.assign(new Error('14 UNAVAILABLE: gone'), { code: GrpcStatus.UNAVAILABLE, details: 'gone' }));
    await turn();
    assert.equal(ends.length, 0, 'entries are still being handed on');
    await turns(2);
    assert.deepEqual(ids(), [['e0', 'e1'], ['e2', 'e3'], ['e4']]);
    assert.equal(ends.length, 1);
    assert.equal(ends[0]?.code, GrpcStatus.UNAVAILABLE);
    assert.equal(ends[0]?.message, 'gone');
  });

  test('a clean end with nothing queued is told on the next turn, once', async () => {
    const call = new ScriptedCall();
    const { handlers, ends } = recorder();
    readTail(call, handlers);
    call.emit('end');
    call.emit('close');
    await turns(2);
    assert.deepEqual(ends, [null]);
  });

  test('cancel() drops what is queued and tells nothing more', async () => {
    const call = new ScriptedCall();
    const { handlers, ids, ends } = recorder();
    const handle = readTail(call, handlers, { sliceEntries: 2 });
    call.emit('data', decodedResponse(0, 6));
    await turn();
    handle.cancel();
    call.emit('error', Object.assign(new Error('1 CANCELLED'), { code: GrpcStatus.CANCELLED }));
    await turns(4);
    assert.deepEqual(ids(), [['e0', 'e1']]);
    assert.equal(ends.length, 0);
    assert.equal(call.cancelled, true);
  });

  test('a response that cannot be split ends the call with INTERNAL after the responses before it', async () => {
    const call = new ScriptedCall();
    const { handlers, ids, ends } = recorder();
    const decoder: Pick<ResponseDecoder, 'split' | 'entry'> = {
      split: () => {
        throw new Error('index out of range: 12 + 10 > 15');
      },
      entry: () => ({}),
    };
    readTail(call, handlers, { decoder, sliceEntries: 10 });
    call.emit('data', decodedResponse(0, 3));
    call.emit('data', Buffer.from([1, 2, 3]));
    assert.equal(call.cancelled, true);
    await turns(2);
    assert.deepEqual(ids(), [['e0', 'e1', 'e2']]);
    assert.equal(ends.length, 1);
    assert.equal(ends[0]?.code, GrpcStatus.INTERNAL);
    assert.match(ends[0]?.message ?? '', /^Response message parsing error: index out of range/);
  });

  test('an entry that cannot be decoded ends the call with INTERNAL; the rest is left to the backfill', async () => {
    const call = new ScriptedCall();
    const { handlers, ids, ends } = recorder();
    const decoder: Pick<ResponseDecoder, 'split' | 'entry'> = {
      split: () => ({ entries: [0, 1, 1, 2, 2, 3], suppression: [] }),
      entry: (_message, start) => {
        if (start === 1) throw new Error('invalid wire type 7');
        return decodedResponse(start, start + 1) as unknown;
      },
    };
    readTail(call, handlers, { decoder, sliceEntries: 1 });
    call.emit('data', Buffer.from([0, 0, 0]));
    call.emit('data', decodedResponse(10, 11));
    await turns(4);
    assert.equal(ids().length, 1, 'the first entry went out, nothing after the broken one');
    assert.equal(ends[0]?.code, GrpcStatus.INTERNAL);
    assert.equal(call.cancelled, true);
  });
});

describe('normalizeInSlices', () => {
  test('a large page is normalized in slices of 250, yielding to the event loop between them', async () => {
    const page = (decodedResponse(0, 600) as { entries: unknown[] }).entries;
    let turnsTaken = 0;
    let counting = true;
    const count = (): void => {
      if (!counting) return;
      turnsTaken += 1;
      setImmediate(count);
    };
    setImmediate(count);
    const entries = await normalizeInSlices(page, null);
    counting = false;
    assert.deepEqual(entries.map((e) => e.entry.insertId), page.map((_, i) => `e${i}`));
    assert.ok(turnsTaken >= 2, `600 entries took ${turnsTaken + 1} slices`);
  });

  test('an entry that cannot be decoded fails the page with INTERNAL', async () => {
    const decoder = {
      listed: (): unknown => {
        throw new Error('invalid wire type 6');
      },
    };
    await assert.rejects(normalizeInSlices([{}], decoder), (error: LogApiError) => error.code === GrpcStatus.INTERNAL && /^Response message parsing error: invalid wire type 6/.test(error.message));
  });
});

describe('undecoded responses (src/sdk/logging.ts)', () => {
  const fromLoggingApi = createRequire(require.resolve('@google-cloud/logging-api/package.json'));
  type ProtoType = {
    fromObject(o: unknown): unknown;
    encode(m: unknown): { finish(): Uint8Array };
    decode(b: Uint8Array): unknown;
    toObject(m: unknown, o: unknown): { entries: unknown[] };
  };
  const gax = fromLoggingApi('google-gax') as { protobuf: { Root: { fromJSON(json: unknown): { lookupType(name: string): ProtoType } } } };
  const root = gax.protobuf.Root.fromJSON(fromLoggingApi('./build/protos/protos.json'));
  const Response = root.lookupType('google.logging.v2.TailLogEntriesResponse');
  // What the generated client's deserializer does (@grpc/proto-loader with gax's options).
  const clientOptions = { longs: String, enums: String, defaults: true, oneofs: true };

  const entries = [
    {
      logName: 'projects/p/logs/run.googleapis.com%2Fstderr',
      resource: { type: 'cloud_run_revision', labels: { service_name: 'api', revision_name: 'api-00002-xyz', location: 'us-west2' } },
      timestamp: { seconds: 1_769_900_000, nanos: 123_456_789 },
      receiveTimestamp: { seconds: 1_769_900_001, nanos: 0 },
      severity: 'ERROR',
      insertId: 'abc-1',
      labels: { instanceId: '00f1', run: 'x' },
      textPayload: 'MERGE failed: unicode ✓ and "quotes"',
      trace: 'projects/p/traces/0123',
      spanId: '77',
      // A size past 2^31 puts the top bit in the Long's low half.
      httpRequest: { requestMethod: 'POST', requestUrl: '/predict', status: 503, latency: { seconds: 2, nanos: 500_000_000 }, responseSize: 3_000_000_000, userAgent: 'curl', remoteIp: '10.0.0.1', protocol: 'HTTP/1.1' },
      sourceLocation: { file: 'main.py', line: 4200, function: 'handler' },
    },
    {
      logName: 'projects/p/logs/run.googleapis.com%2Fstdout',
      resource: { type: 'cloud_run_revision', labels: { service_name: 'api' } },
      timestamp: { seconds: 1_769_900_000, nanos: 5 },
      severity: 'INFO',
      insertId: 'abc-2',
      jsonPayload: { fields: { message: { stringValue: 'structured' }, n: { numberValue: 1.5 }, ok: { boolValue: true }, none: { nullValue: 'NULL_VALUE' }, list: { listValue: { values: [{ numberValue: 1 }, { stringValue: 'a' }] } }, nested: { structValue: { fields: { depth: { numberValue: 2 } } } } } },
    },
    {
      logName: 'projects/p/logs/cloudaudit.googleapis.com%2Factivity',
      resource: { type: 'audited_resource', labels: {} },
      timestamp: { seconds: 1_769_899_999, nanos: 0 },
      severity: 'NOTICE',
      insertId: 'abc-3',
      protoPayload: { type_url: 'type.googleapis.com/google.cloud.audit.AuditLog', value: Buffer.from([1, 2]) },
    },
    { logName: 'projects/p/logs/empty', timestamp: { seconds: 1_769_899_998, nanos: 1 }, insertId: 'abc-4' },
  ];
  const bytes = Buffer.from(Response.encode(Response.fromObject({ entries, suppressionInfo: [{ reason: 'RATE_LIMIT', suppressedCount: 3 }, { reason: 'NOT_CONSUMED', suppressedCount: 4 }] })).finish());

  test('split finds every entry and the suppression counts', () => {
    const split = sdk.createResponseDecoder().split(bytes);
    assert.equal(split.entries.length, 2 * entries.length);
    assert.deepEqual(split.suppression, [
      { reason: 1, count: 3 },
      { reason: 2, count: 4 },
    ]);
  });

  test('entries decoded one by one normalize exactly as the generated client’s objects do', () => {
    const decoder = sdk.createResponseDecoder();
    const split = decoder.split(bytes);
    const oneByOne = [];
    for (let i = 0; i < split.entries.length; i += 2) oneByOne.push(normalizeApiEntry(decoder.entry(bytes, split.entries[i]!, split.entries[i + 1]!)));
    const asTheClientDoes = Response.toObject(Response.decode(bytes), clientOptions).entries.map(normalizeApiEntry);
    assert.deepEqual(oneByOne, asTheClientDoes);
    assert.equal(oneByOne[0]?.entry.httpRequest?.latency, '2.500s');
    assert.equal(oneByOne[0]?.entry.httpRequest?.responseSize, '3000000000');
    assert.equal(oneByOne[0]?.entry.timestamp, '2026-01-31T22:53:20.123456789Z');
    assert.equal(oneByOne[3]?.entry.text, undefined, 'no payload: neither text nor json');
  });

  test('readTail reads undecoded responses with the decoder', async () => {
    const call = new ScriptedCall();
    const { handlers, responses } = recorder();
    readTail(call, handlers, { decoder: sdk.createResponseDecoder(), sliceEntries: 3 });
    call.emit('data', bytes);
    await turns(2);
    assert.deepEqual(
      responses.map((r) => r.entries.map((e) => e.entry.insertId)),
      [['abc-1', 'abc-2', 'abc-3'], ['abc-4']],
    );
    assert.deepEqual(responses[0]?.suppressed, { rateLimit: 3, notConsumed: 4 });
  });

  test('the generated client is shaped as undecodedResponses expects (else responses would silently be decoded whole)', async () => {
    const client = new sdk.LoggingServiceV2Client({ projectId: 'p', apiEndpoint: '127.0.0.1', port: 9, sslCreds: sdk.insecureChannelCredentials(), authClient: new sdk.PassThroughClient() });
    try {
      await client.initialize();
      assert.deepEqual(await sdk.undecodedResponses(client), { tail: true, list: true });
    } finally {
      await client.close();
    }
  });

  test('a ListLogEntries page: listed() decodes its undecoded entries, normalizeInSlices a slice per macrotask', async () => {
    const decoder = sdk.createResponseDecoder();
    const split = decoder.split(bytes);
    const page: unknown[] = [];
    for (let i = 0; i < split.entries.length; i += 2) page.push(new sdk.UndecodedEntry(bytes, split.entries[i]!, split.entries[i + 1]!));
    const asTheClientDoes = Response.toObject(Response.decode(bytes), clientOptions).entries.map(normalizeApiEntry);
    assert.deepEqual(await normalizeInSlices(page, decoder), asTheClientDoes);
    assert.deepEqual(await normalizeInSlices(Response.toObject(Response.decode(bytes), clientOptions).entries, decoder), asTheClientDoes, 'decoded items pass as they are');
  });
});
