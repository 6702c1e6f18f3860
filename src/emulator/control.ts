// The emulator's control API: POST /control/<action> with a JSON body, GET /control/state.
// Tests, the demo and the deploy script use it to change what the emulated APIs report.
//
// Core actions (answered here):
//   faults        {rules: FaultRule[], globalLatencyMs?}  adds fault rules (and sets the global latency)
//   clear-faults  {}                                      removes every rule and the global latency
//   reset         {}                                      back to the loaded scenario (clock, state, faults)
//   load          <scenario object>                       replaces the loaded scenario (what reset returns to)
//   state         {}                                      the same as GET /control/state
//   clock         {now?: ISO, advanceMs?: number}         moves the emulator's clock
// Every other action is offered to each API module's handleControl in turn (Cloud Run: deploy,
// traffic, traffic-plan, service, delete-service, and for jobs job, deploy-job, execution-plan, fail-execution,
// delete-job; Cloud Functions: deploy-function, function). A malformed payload answers 400 naming the field.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ScenarioError, type EmulatedApiModule } from './api';
import { googleErrorBody, type EmulatedApi, type FaultRegistry, type FaultRule } from './faults';
import { childPath, expectArray, expectInteger, expectKnownKeys, expectObject, expectString, expectTimestamp, isJsonObject, optionalString } from './scenario';

/** A control request that failed for a reason other than its shape (e.g. 404 for an unknown service). */
export class ControlError extends Error {
  constructor(
    readonly httpStatus: number,
    message: string,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

/** The emulator's clock: real time shifted by an offset, so a scenario can start "now" anywhere. */
export class EmulatorClock {
  private offsetMs = 0;
  private readonly listeners: (() => void)[] = [];

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** `listener` runs after every move of the clock. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  setNow(ms: number): void {
    this.offsetMs = ms - Date.now();
    this.changed();
  }

  advance(ms: number): void {
    this.offsetMs += ms;
    this.changed();
  }

  useRealTime(): void {
    this.offsetMs = 0;
    this.changed();
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}

export interface NamedModule {
  /** The scenario section and state key, e.g. "run", "logging". */
  name: string;
  module: EmulatedApiModule;
}

export interface ControlContext {
  faults: FaultRegistry;
  clock: EmulatorClock;
  modules: readonly NamedModule[];
  /** Restores the loaded scenario: clock, faults and every module. */
  reset(): void;
  /** Validates and loads a new scenario into every module (all or nothing); reset returns to it. */
  load(scenario: unknown): void;
}

const CORE_ACTIONS = ['faults', 'clear-faults', 'reset', 'load', 'state', 'clock'] as const;
const EMULATED_APIS: readonly EmulatedApi[] = ['run', 'logging', 'bigquery', 'functions'];
const FAULT_RULE_KEYS = [
  'api', 'service', 'region', 'operation', 'latencyMs', 'httpStatus', 'grpcCode', 'message',
  'dropTailAfterEntries', 'dropTailAfterMs', 'dropTailCode', 'times',
] as const;

export function stateSnapshot(ctx: ControlContext): unknown {
  const snapshot: Record<string, unknown> = { now: new Date(ctx.clock.now()).toISOString() };
  for (const { name, module } of ctx.modules) snapshot[name] = module.snapshot();
  snapshot.faults = { rules: ctx.faults.list(), globalLatencyMs: ctx.faults.globalLatencyMs };
  return snapshot;
}

/** Runs one control action; throws ScenarioError (400) or ControlError (its status). */
export async function dispatchControl(ctx: ControlContext, action: string, payload: unknown): Promise<unknown> {
  switch (action) {
    case 'faults':
      return addFaults(ctx.faults, payload);
    case 'clear-faults':
      ctx.faults.clear();
      return { rules: [], globalLatencyMs: 0 };
    case 'reset':
      ctx.reset();
      return stateSnapshot(ctx);
    case 'load':
      ctx.load(payload);
      return stateSnapshot(ctx);
    case 'state':
      return stateSnapshot(ctx);
    case 'clock':
      return moveClock(ctx.clock, payload);
    default:
      break;
  }
  for (const { module } of ctx.modules) {
    const result = await module.handleControl(action, payload);
    if (result !== undefined) return result;
  }
  throw new ControlError(404, `Unknown control action "${action}" (core actions: ${CORE_ACTIONS.join(', ')}; Cloud Run: deploy, traffic, traffic-plan, service, delete-service, job, deploy-job, execution-plan, fail-execution, delete-job; Cloud Functions: deploy-function, function)`);
}

function addFaults(faults: FaultRegistry, payload: unknown): unknown {
  const object = expectObject(payload ?? {}, '$', 'an object like {"rules": [{"api": "run", "httpStatus": 500}]}');
  expectKnownKeys(object, '$', ['rules', 'globalLatencyMs']);
  const rulesPath = '$.rules';
  const rules = (object.rules === undefined ? [] : expectArray(object.rules, rulesPath, 'an array of fault rules')).map((r, i) =>
    parseFaultRule(r, childPath(rulesPath, i)),
  );
  const globalLatencyMs = object.globalLatencyMs === undefined ? undefined : expectInteger(object.globalLatencyMs, '$.globalLatencyMs', 0, 600_000);
  // Validate everything before changing anything, so a bad rule leaves the registry as it was.
  for (const rule of rules) faults.add(rule);
  if (globalLatencyMs !== undefined) faults.globalLatencyMs = globalLatencyMs;
  return { rules: faults.list(), globalLatencyMs: faults.globalLatencyMs };
}

export function parseFaultRule(value: unknown, path: string): FaultRule {
  const object = expectObject(value, path, 'a fault rule like {"api": "run", "service": "svc", "httpStatus": 500}');
  expectKnownKeys(object, path, FAULT_RULE_KEYS);
  const api = expectString(object.api, childPath(path, 'api'), new RegExp(`^(${EMULATED_APIS.join('|')})$`), `one of ${EMULATED_APIS.map((a) => `"${a}"`).join(', ')}`) as EmulatedApi;
  const rule: FaultRule = { api };
  const service = optionalString(object.service, childPath(path, 'service'));
  if (service !== undefined) rule.service = service;
  const region = optionalString(object.region, childPath(path, 'region'));
  if (region !== undefined) rule.region = region;
  const operation = optionalString(object.operation, childPath(path, 'operation'));
  if (operation !== undefined) rule.operation = operation;
  const message = optionalString(object.message, childPath(path, 'message'));
  if (message !== undefined) rule.message = message;
  const integerFields: [keyof FaultRule & string, number, number][] = [
    ['latencyMs', 0, 600_000],
    ['httpStatus', 400, 599],
    ['grpcCode', 1, 16],
    ['dropTailAfterEntries', 0, 1_000_000_000],
    ['dropTailAfterMs', 0, 86_400_000],
    ['dropTailCode', 1, 16],
    ['times', 1, 1_000_000_000],
  ];
  const numbers: Partial<Record<string, number>> = {};
  for (const [field, min, max] of integerFields) {
    if (object[field] !== undefined) numbers[field] = expectInteger(object[field], childPath(path, field), min, max);
  }
  return { ...rule, ...numbers };
}

function moveClock(clock: EmulatorClock, payload: unknown): unknown {
  const object = expectObject(payload ?? {}, '$', 'an object like {"now": "2026-01-30T23:00:00Z"} or {"advanceMs": 60000}');
  expectKnownKeys(object, '$', ['now', 'advanceMs']);
  if (object.now !== undefined) clock.setNow(expectTimestamp(object.now, '$.now'));
  if (object.advanceMs !== undefined) clock.advance(expectInteger(object.advanceMs, '$.advanceMs', -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));
  return { now: new Date(clock.now()).toISOString() };
}

// ---------------------------------------------------------------------------------------------
// HTTP plumbing shared by the server and the Cloud Run API.

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A Google-style error body, e.g. {"error":{"code":404,"message":"...","status":"NOT_FOUND"}}. */
export function sendGoogleError(res: ServerResponse, httpStatus: number, message: string): void {
  const text = googleErrorBody(httpStatus, message);
  res.writeHead(httpStatus, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Status and message for an error thrown while answering a control request. */
export function controlErrorResponse(err: unknown): { httpStatus: number; message: string } {
  if (err instanceof ScenarioError) return { httpStatus: 400, message: err.message };
  if (err instanceof ControlError) return { httpStatus: err.httpStatus, message: err.message };
  return { httpStatus: 500, message: `Emulator error: ${err instanceof Error ? err.message : String(err)}` };
}

/** Answers /control/* requests. */
export async function handleControlHttp(ctx: ControlContext, req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<void> {
  const action = decodeURIComponent(url.pathname.slice('/control/'.length));
  if (req.method === 'GET' && action === 'state') {
    sendJson(res, 200, stateSnapshot(ctx));
    return;
  }
  if (req.method !== 'POST') {
    sendGoogleError(res, 405, `Use POST /control/<action> with a JSON body (GET is only for /control/state), got ${req.method ?? '?'}`);
    return;
  }
  let payload: unknown = {};
  const text = body.toString('utf8').trim();
  if (text.length > 0) {
    try {
      payload = JSON.parse(text) as unknown;
    } catch (err) {
      sendGoogleError(res, 400, `$: expected a JSON body (${(err as Error).message})`);
      return;
    }
  }
  try {
    const result = await dispatchControl(ctx, action, payload);
    sendJson(res, 200, isJsonObject(result) || Array.isArray(result) ? result : { result });
  } catch (err) {
    const { httpStatus, message } = controlErrorResponse(err);
    if (httpStatus >= 500) console.error(`[emulator] control ${action} failed:`, err);
    sendGoogleError(res, httpStatus, message);
  }
}
