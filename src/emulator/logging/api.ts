// The emulated Cloud Logging v2 API: a log store seeded from the scenario's `logging` section, ListLogEntries
// over gRPC and REST, TailLogEntries over gRPC, WriteLogEntries, and control actions to feed and steer tails.
//
// Scenario section (every field optional):
//   logging: {
//     project?: string,            // project for entries that name none (no project/logName/resource.labels.project_id)
//     location?: string,           // location label default (else us-central1)
//     entries?: LogEntryInput[],   // timestamps RFC 3339, or "now" / "now-90m"; insertId generated when missing
//     tail?: { maxSessions?, maxDurationMs?, defaultBufferWindowMs?, rateLimitPerSecond? }
//   }
// Control actions (POST /control/<action>):
//   logs              {entries: LogEntryInput[]}            append (validated all-or-nothing) and push to open tails
//   tail-sessions     {max: number}                         concurrent tail sessions; one more → RESOURCE_EXHAUSTED
//   max-tail-duration {ms: number | null}                   sessions end with OUT_OF_RANGE after ms (null: never)
//   tail-settings     {maxSessions?, maxDurationMs?, defaultBufferWindowMs?, rateLimitPerSecond?}
//   suppress          {count: number, reason?: 'RATE_LIMIT' | 'NOT_CONSUMED'}   reported in the next tail response
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ScenarioError, type ApiModuleContext, type EmulatedApiModule } from '../api';
import { sleep } from '../faults';
import { normalizeEntry, type LogEntryInput, type LogEntryJson, type StoredLogEntry } from './entry';
import { LoggingGrpcServer, type LoggingBackend } from './grpc';
import { handleLoggingHttp } from './rest';
import { LoggingApiError, LogStore, GrpcCode, compileRequestFilter, type ListEntriesRequest, type ListEntriesResult } from './store';
import { DEFAULT_TAIL_SETTINGS, SUPPRESSION_REASONS, TailManager, type SuppressionReason, type TailSessionSnapshot, type TailSettings } from './tail';

export type { TailSettings } from './tail';

export interface LoggingSnapshot {
  project: string | null;
  entryCount: number;
  /** The newest entries (at most SNAPSHOT_ENTRY_LIMIT), oldest first. */
  entries: LogEntryJson[];
  tail: { settings: TailSettings; sessions: TailSessionSnapshot[] };
  grpcPort: number | null;
}

/** The module, plus direct access for in-process callers (the demo, tests) that do not go through HTTP. */
export interface LoggingApiModule extends EmulatedApiModule {
  /** Appends entries as control action `logs` does; returns how many were stored. Throws ScenarioError. */
  appendEntries(entries: readonly unknown[]): number;
  /** The gRPC port once started. */
  readonly grpcPort: number | undefined;
}

const SNAPSHOT_ENTRY_LIMIT = 200;
const SECTION_KEYS = new Set(['project', 'location', 'entries', 'tail']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalStringAt(object: Record<string, unknown>, key: string, path: string): string | undefined {
  const value = object[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new ScenarioError(`${path}.${key}`, 'a non-empty string');
  return value;
}

function nonNegativeIntegerAt(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new ScenarioError(path, 'a non-negative integer');
  return value;
}

/** Applies a partial tail-settings object (scenario `logging.tail` or control `tail-settings`) onto `base`. */
function parseTailSettings(raw: unknown, path: string, base: TailSettings): TailSettings {
  if (!isPlainObject(raw)) throw new ScenarioError(path, 'an object like {"maxSessions": 10, "defaultBufferWindowMs": 2000}');
  const settings = { ...base };
  for (const [key, value] of Object.entries(raw)) {
    const at = `${path}.${key}`;
    switch (key) {
      case 'maxSessions':
        settings.maxSessions = nonNegativeIntegerAt(value, at);
        break;
      case 'maxDurationMs':
        settings.maxDurationMs = value === null ? null : nonNegativeIntegerAt(value, at);
        break;
      case 'defaultBufferWindowMs':
        settings.defaultBufferWindowMs = nonNegativeIntegerAt(value, at);
        if (settings.defaultBufferWindowMs > 60_000) throw new ScenarioError(at, 'at most 60000 (the API caps the buffer window at 60 s)');
        break;
      case 'rateLimitPerSecond':
        settings.rateLimitPerSecond = value === null || value === 0 ? null : nonNegativeIntegerAt(value, at);
        break;
      default:
        throw new ScenarioError(at, 'one of maxSessions, maxDurationMs, defaultBufferWindowMs, rateLimitPerSecond');
    }
  }
  return settings;
}

export function createLoggingApi(ctx: ApiModuleContext): LoggingApiModule {
  const store = new LogStore();
  const tails = new TailManager(store, ctx.faults);
  let baselineEntries: StoredLogEntry[] = [];
  let baselineSettings: TailSettings = { ...DEFAULT_TAIL_SETTINGS };
  let defaultProject: string | undefined;
  let defaultLocation: string | undefined;
  let grpcServer: LoggingGrpcServer | undefined;
  let grpcPort: number | undefined;

  /** Validates every entry before storing any, so a bad control call changes nothing. */
  const normalizeArriving = (raw: readonly unknown[], path: string): StoredLogEntry[] => {
    const nowMs = ctx.now();
    return raw.map((entry, index) =>
      normalizeEntry(entry, `${path}[${index}]`, { project: defaultProject, location: defaultLocation, nowMs, receiveNowMs: nowMs }),
    );
  };

  const backend: LoggingBackend = {
    async list(request: ListEntriesRequest): Promise<ListEntriesResult> {
      // A malformed filter is refused before faults apply, as the real front end validates first.
      const filter = compileRequestFilter(request.filter);
      const fault = ctx.faults.match('logging', 'listLogEntries', filter.serviceName);
      if (fault) {
        await sleep(fault.latencyMs);
        if (fault.error) throw new LoggingApiError(fault.error.grpcCode, fault.error.message, fault.error.httpStatus);
      }
      return store.list(request);
    },
    write(entries: LogEntryInput[]): void {
      try {
        store.append(normalizeArriving(entries, 'entries'));
      } catch (error) {
        if (error instanceof ScenarioError) throw new LoggingApiError(GrpcCode.INVALID_ARGUMENT, error.message);
        throw error;
      }
    },
    tails,
  };

  const module: LoggingApiModule = {
    get grpcPort() {
      return grpcPort;
    },

    async handleHttp(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<boolean> {
      return handleLoggingHttp(backend, req, res, url, body);
    },

    appendEntries(entries: readonly unknown[]): number {
      const stored = normalizeArriving(entries, '$.entries');
      store.append(stored);
      return stored.length;
    },

    async handleControl(action: string, payload: unknown): Promise<unknown | undefined> {
      switch (action) {
        case 'logs': {
          const entries = isPlainObject(payload) ? payload['entries'] : Array.isArray(payload) ? payload : undefined;
          if (!Array.isArray(entries)) throw new ScenarioError('$.entries', 'an array of log entries');
          const appended = module.appendEntries(entries);
          return { appended, entryCount: store.size, openTailSessions: tails.openSessionCount };
        }
        case 'tail-sessions': {
          if (!isPlainObject(payload)) throw new ScenarioError('$', 'an object like {"max": 2}');
          tails.settings = { ...tails.settings, maxSessions: nonNegativeIntegerAt(payload['max'], '$.max') };
          return { maxSessions: tails.settings.maxSessions, openTailSessions: tails.openSessionCount };
        }
        case 'max-tail-duration': {
          if (!isPlainObject(payload)) throw new ScenarioError('$', 'an object like {"ms": 60000} (null: no limit)');
          const ms = payload['ms'] === null ? null : nonNegativeIntegerAt(payload['ms'], '$.ms');
          tails.settings = { ...tails.settings, maxDurationMs: ms };
          return { maxDurationMs: ms };
        }
        case 'tail-settings': {
          tails.settings = parseTailSettings(payload, '$', tails.settings);
          return { ...tails.settings };
        }
        case 'suppress': {
          if (!isPlainObject(payload)) throw new ScenarioError('$', 'an object like {"count": 5, "reason": "RATE_LIMIT"}');
          const count = nonNegativeIntegerAt(payload['count'], '$.count');
          const reason = payload['reason'] ?? 'RATE_LIMIT';
          if (typeof reason !== 'string' || !SUPPRESSION_REASONS.includes(reason as SuppressionReason)) {
            throw new ScenarioError('$.reason', `one of ${SUPPRESSION_REASONS.join(', ')}`);
          }
          const { sessions } = tails.injectSuppression(reason as SuppressionReason, count);
          return { reason, count, sessions, deferredToNextSession: sessions === 0 };
        }
        default:
          return undefined;
      }
    },

    load(section: unknown): void {
      const path = '$.logging';
      let project: string | undefined;
      let location: string | undefined;
      let settings: TailSettings = { ...DEFAULT_TAIL_SETTINGS };
      let entries: StoredLogEntry[] = [];
      if (section !== undefined && section !== null) {
        if (!isPlainObject(section)) throw new ScenarioError(path, 'an object like {"project": "p", "entries": [...]}');
        for (const key of Object.keys(section)) {
          if (!SECTION_KEYS.has(key)) throw new ScenarioError(`${path}.${key}`, `one of ${[...SECTION_KEYS].join(', ')}`);
        }
        project = optionalStringAt(section, 'project', path);
        location = optionalStringAt(section, 'location', path);
        if (section['tail'] !== undefined) settings = parseTailSettings(section['tail'], `${path}.tail`, settings);
        const rawEntries = section['entries'];
        if (rawEntries !== undefined && !Array.isArray(rawEntries)) throw new ScenarioError(`${path}.entries`, 'an array of log entries');
        const nowMs = ctx.now();
        entries = (rawEntries ?? []).map((entry: unknown, index: number) =>
          normalizeEntry(entry, `${path}.entries[${index}]`, { project, location, nowMs }),
        );
      }
      // Assigned only after everything validated, so a bad scenario leaves the previous state intact.
      defaultProject = project;
      defaultLocation = location;
      baselineEntries = entries;
      baselineSettings = settings;
      module.reset();
    },

    reset(): void {
      store.replaceAll(baselineEntries);
      // Open tail sessions are connections, not state: they stay open and keep the settings they started with.
      tails.resetSettings(baselineSettings);
    },

    snapshot(): LoggingSnapshot {
      const all = store.sortedEntries();
      return {
        project: defaultProject ?? null,
        entryCount: all.length,
        entries: all.slice(Math.max(0, all.length - SNAPSHOT_ENTRY_LIMIT)).map((entry) => entry.json),
        tail: { settings: { ...tails.settings }, sessions: tails.snapshot() },
        grpcPort: grpcPort ?? null,
      };
    },

    async start(host: string, port: number): Promise<{ port: number }> {
      if (host !== '127.0.0.1' && host !== 'localhost') {
        throw new Error(`The Logging emulator listens on 127.0.0.1 only (asked for ${host})`);
      }
      if (grpcServer) throw new Error('The Logging emulator gRPC server is already started');
      const server = new LoggingGrpcServer(backend);
      grpcPort = await server.start('127.0.0.1', port);
      grpcServer = server;
      return { port: grpcPort };
    },

    async close(): Promise<void> {
      const server = grpcServer;
      grpcServer = undefined;
      grpcPort = undefined;
      if (server) await server.close();
      else tails.closeAll(GrpcCode.UNAVAILABLE, 'the emulator is shutting down');
    },
  };
  return module;
}
