// TailLogEntries sessions: each holds matching entries appended after it started for its buffer window,
// then sends them ordered by timestamp in batches, reporting suppressed entries the way the API does.
//
// Buffering is a tumbling window: the first entry into an empty buffer opens a window of `bufferWindowMs`;
// when it closes, everything buffered goes out together sorted by timestamp (in responses of at most 1000
// entries). A zero window still coalesces everything appended in the same tick.
//
// Suppression, two ways (both reported in the next response's suppressionInfo, at most one item per reason):
// - RATE_LIMIT: with `rateLimitPerSecond` set (scenario `logging.tail.rateLimitPerSecond` or control
//   `tail-settings`), matching entries beyond that many per wall-clock second per session are not sent but counted.
// - NOT_CONSUMED: when a client stops reading and a session has MAX_BUFFERED_ENTRIES waiting, further entries are
//   counted instead of queued.
// - Control action `suppress` {count, reason} adds `count` to the next response of every open session (or of the
//   next session to open when none is), so a test can provoke either report deterministically.
import type { FaultRegistry, MatchedFault } from '../faults';
import { sleep } from '../faults';
import { compareEntries, type StoredLogEntry } from './entry';
import type { CompiledFilter } from './filter';
import { GrpcCode, LoggingApiError, compileRequestFilter, projectsOfResourceNames, type LogStore } from './store';

export type SuppressionReason = 'RATE_LIMIT' | 'NOT_CONSUMED';
export const SUPPRESSION_REASONS: readonly SuppressionReason[] = ['RATE_LIMIT', 'NOT_CONSUMED'];

export interface SuppressionInfo {
  reason: SuppressionReason;
  suppressedCount: number;
}

export interface TailBatch {
  entries: StoredLogEntry[];
  suppressionInfo: SuppressionInfo[];
}

/** What a session needs from its transport (the gRPC duplex stream), kept narrow so sessions are transport-free. */
export interface TailTransport {
  /** Sends one TailLogEntriesResponse; false means "buffer full, wait for drain". */
  send(batch: TailBatch): boolean;
  onceDrained(listener: () => void): void;
  /** Ends the stream with a non-OK status (after the responses already sent). */
  fail(grpcCode: number, message: string): void;
}

export interface TailSettings {
  /** Concurrent sessions allowed; one more is refused with RESOURCE_EXHAUSTED (the API allows 10 per project). */
  maxSessions: number;
  /** Sessions end with OUT_OF_RANGE after this long; null: never (the API ends them after an hour). */
  maxDurationMs: number | null;
  /**
   * Buffer window for requests that do not carry one. The API's default is 2 s; note @google-cloud/logging's
   * tailEntries never sends a bufferWindow (it misspells the field), so tests lower this instead.
   */
  defaultBufferWindowMs: number;
  /** Matching entries per second per session beyond which they count as RATE_LIMIT suppressed; null: unlimited. */
  rateLimitPerSecond: number | null;
}

export const DEFAULT_TAIL_SETTINGS: TailSettings = {
  maxSessions: 10,
  maxDurationMs: 3_600_000,
  defaultBufferWindowMs: 2000,
  rateLimitPerSecond: null,
};

/** TailLogEntriesRequest in camelCase; bufferWindow is a google.protobuf.Duration. */
export interface TailRequest {
  resourceNames?: string[];
  filter?: string;
  bufferWindow?: { seconds?: string | number; nanos?: number } | null;
}

/** Entries per response: keeps each message far below gRPC's default 4 MB receive limit. */
const MAX_ENTRIES_PER_RESPONSE = 1000;
const MAX_BYTES_PER_RESPONSE = 2_000_000;
/** Entries a session holds for a client that is not reading before it counts them as NOT_CONSUMED. */
const MAX_BUFFERED_ENTRIES = 200_000;
const DEFAULT_DROP_CODE = GrpcCode.UNAVAILABLE;

function estimatedSize(entry: StoredLogEntry): number {
  const payload = entry.json.textPayload?.length ?? (entry.json.jsonPayload ? 400 : 0);
  return payload + 400;
}

export interface TailSessionSnapshot {
  id: number;
  filter: string;
  resourceNames: string[];
  bufferWindowMs: number;
  startedAt: string;
  sentEntries: number;
  bufferedEntries: number;
}

let sessionCounter = 0;

export class TailSession {
  readonly id = ++sessionCounter;
  readonly startedAtMs = Date.now();
  private sentEntries = 0;
  /** Entries of the open window, in arrival order. */
  private buffering: StoredLogEntry[] = [];
  /** When the current window opened (first entry or suppression since the last flush); null: no window open. */
  private windowOpenedAtMs: number | null = null;
  /** Entries whose window has passed, waiting for the transport (only non-empty while it is congested). */
  private ready: StoredLogEntry[] = [];
  private readonly suppressed: Record<SuppressionReason, number> = { RATE_LIMIT: 0, NOT_CONSUMED: 0 };
  private rateWindowSecond = -1;
  private rateWindowCount = 0;
  private flushTimer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private flushing = false;
  private awaitingDrain = false;
  private closed = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private unsubscribe: () => void = () => {};

  constructor(
    private readonly transport: TailTransport,
    private readonly filter: CompiledFilter,
    private readonly projects: Set<string>,
    readonly resourceNames: string[],
    readonly bufferWindowMs: number,
    private readonly settings: TailSettings,
    private readonly fault: MatchedFault | null,
    private readonly onClosed: (session: TailSession) => void,
  ) {}

  start(store: LogStore): void {
    this.unsubscribe = store.subscribe((appended) => this.offer(appended));
    if (this.settings.maxDurationMs !== null) {
      this.timers.push(setTimeout(() => this.fail(GrpcCode.OUT_OF_RANGE, `maximum tail duration reached (${this.settings.maxDurationMs} ms)`), this.settings.maxDurationMs));
    }
    const dropAfterMs = this.fault?.rule.dropTailAfterMs;
    if (dropAfterMs !== undefined) {
      this.timers.push(setTimeout(() => this.fail(this.dropCode(), this.dropMessage()), dropAfterMs));
    }
  }

  snapshot(): TailSessionSnapshot {
    return {
      id: this.id,
      filter: this.filter.text,
      resourceNames: [...this.resourceNames],
      bufferWindowMs: this.bufferWindowMs,
      startedAt: new Date(this.startedAtMs).toISOString(),
      sentEntries: this.sentEntries,
      bufferedEntries: this.buffering.length + this.ready.length,
    };
  }

  /** Called with every append to the store. */
  private offer(appended: readonly StoredLogEntry[]): void {
    if (this.closed) return;
    const now = Date.now();
    let accepted = 0;
    for (const entry of appended) {
      if (!this.projects.has(entry.project) || !this.filter.matches(entry)) continue;
      if (this.settings.rateLimitPerSecond !== null) {
        const second = Math.floor(now / 1000);
        if (second !== this.rateWindowSecond) {
          this.rateWindowSecond = second;
          this.rateWindowCount = 0;
        }
        if (this.rateWindowCount >= this.settings.rateLimitPerSecond) {
          this.addSuppression('RATE_LIMIT', 1, now);
          continue;
        }
        this.rateWindowCount += 1;
      }
      if (this.buffering.length + this.ready.length >= MAX_BUFFERED_ENTRIES) {
        this.addSuppression('NOT_CONSUMED', 1, now);
        continue;
      }
      this.buffering.push(entry);
      accepted += 1;
    }
    if (accepted > 0) {
      this.windowOpenedAtMs ??= now;
      this.scheduleFlush();
    }
  }

  addSuppression(reason: SuppressionReason, count: number, now = Date.now()): void {
    if (this.closed || count <= 0) return;
    this.suppressed[reason] += count;
    this.windowOpenedAtMs ??= now;
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.closed || this.flushTimer !== null || this.flushing || this.awaitingDrain) return;
    const openedAt = this.windowOpenedAtMs;
    if (openedAt === null && this.ready.length === 0) return;
    // Entries whose window has passed wait only for the transport: send them as soon as it drains, not when the
    // next window closes (at a sustained rate a window is always open, and the backlog would grow without bound).
    const delay = openedAt === null || this.ready.length > 0 ? 0 : Math.max(0, openedAt + this.bufferWindowMs - Date.now());
    this.flushTimer =
      delay === 0
        ? setImmediate(() => void this.flush())
        : setTimeout(() => void this.flush(), delay);
  }

  private async flush(): Promise<void> {
    this.flushTimer = null;
    if (this.closed) return;
    this.flushing = true;
    try {
      if (this.fault && this.fault.latencyMs > 0) await sleep(this.fault.latencyMs);
      if (this.closed) return;
      this.sendReady(this.releaseWindow());
    } finally {
      this.flushing = false;
    }
    if (!this.closed && !this.awaitingDrain) this.scheduleFlush();
  }

  /** Closes the window (when its time has come): its entries move to `ready`, sorted by timestamp. */
  private releaseWindow(): SuppressionInfo[] {
    if (this.windowOpenedAtMs === null || this.windowOpenedAtMs + this.bufferWindowMs > Date.now()) return [];
    this.windowOpenedAtMs = null;
    if (this.buffering.length > 0) {
      const released = this.buffering;
      this.buffering = [];
      released.sort(compareEntries);
      this.ready = this.ready.length === 0 ? released : this.ready.concat(released);
    }
    const info = SUPPRESSION_REASONS.filter((reason) => this.suppressed[reason] > 0).map((reason) => ({
      reason,
      suppressedCount: this.suppressed[reason],
    }));
    this.suppressed.RATE_LIMIT = 0;
    this.suppressed.NOT_CONSUMED = 0;
    return info;
  }

  private sendReady(initialSuppressionInfo: SuppressionInfo[]): void {
    let suppressionInfo = initialSuppressionInfo;
    let offset = 0;
    const dropAfterEntries = this.fault?.rule.dropTailAfterEntries;
    while (offset < this.ready.length || suppressionInfo.length > 0) {
      let end = offset;
      let bytes = 0;
      while (end < this.ready.length && end - offset < MAX_ENTRIES_PER_RESPONSE && bytes < MAX_BYTES_PER_RESPONSE) {
        bytes += estimatedSize(this.ready[end]!);
        end += 1;
      }
      let dropAfterThis = false;
      if (dropAfterEntries !== undefined && this.sentEntries + (end - offset) >= dropAfterEntries) {
        end = offset + Math.max(0, dropAfterEntries - this.sentEntries);
        dropAfterThis = true;
      }
      const entries = this.ready.slice(offset, end);
      offset = end;
      const writable = entries.length > 0 || suppressionInfo.length > 0 ? this.transport.send({ entries, suppressionInfo }) : true;
      this.sentEntries += entries.length;
      suppressionInfo = [];
      if (dropAfterThis) {
        this.fail(this.dropCode(), this.dropMessage());
        return;
      }
      if (!writable) {
        this.awaitingDrain = true;
        this.transport.onceDrained(() => {
          this.awaitingDrain = false;
          this.scheduleFlush();
        });
        break;
      }
    }
    this.ready = offset >= this.ready.length ? [] : this.ready.slice(offset);
  }

  private dropCode(): number {
    return this.fault?.rule.dropTailCode ?? DEFAULT_DROP_CODE;
  }

  private dropMessage(): string {
    return this.fault?.rule.message ?? 'Injected fault: the tail stream was dropped';
  }

  /** Ends the stream with an error status and forgets the session. */
  fail(grpcCode: number, message: string): void {
    if (this.closed) return;
    this.close();
    this.transport.fail(grpcCode, message);
  }

  /** Forgets the session without touching the stream (the client cancelled or the stream closed). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    for (const timer of this.timers) clearTimeout(timer);
    if (this.flushTimer !== null) {
      clearTimeout(this.flushTimer as NodeJS.Timeout);
      clearImmediate(this.flushTimer as NodeJS.Immediate);
      this.flushTimer = null;
    }
    this.buffering = [];
    this.ready = [];
    this.onClosed(this);
  }
}

/** Opens, counts and configures tail sessions. */
export class TailManager {
  private readonly sessions = new Set<TailSession>();
  /** Slots taken by sessions still starting (awaiting fault latency), so the limit holds under a burst of opens. */
  private opening = 0;
  private suppressionForNextSession: Record<SuppressionReason, number> = { RATE_LIMIT: 0, NOT_CONSUMED: 0 };
  settings: TailSettings = { ...DEFAULT_TAIL_SETTINGS };

  constructor(
    private readonly store: LogStore,
    private readonly faults: FaultRegistry,
  ) {}

  get openSessionCount(): number {
    return this.sessions.size;
  }

  /** Validates the first TailLogEntriesRequest and starts a session; throws LoggingApiError to refuse it. */
  async open(request: TailRequest, transport: TailTransport): Promise<TailSession> {
    const resourceNames = request.resourceNames ?? [];
    const projects = projectsOfResourceNames(resourceNames);
    const filter = compileRequestFilter(request.filter);
    const bufferWindowMs = this.bufferWindowOf(request);
    if (this.sessions.size + this.opening >= this.settings.maxSessions) {
      throw new LoggingApiError(
        GrpcCode.RESOURCE_EXHAUSTED,
        `too many tail sessions: at most ${this.settings.maxSessions} may be open at once; close one and try again`,
      );
    }
    this.opening += 1;
    try {
      const fault = this.faults.match('logging', 'tailLogEntries', filter.serviceName);
      if (fault?.error) {
        await sleep(fault.latencyMs);
        throw new LoggingApiError(fault.error.grpcCode, fault.error.message);
      }
      const session = new TailSession(transport, filter, projects, resourceNames, bufferWindowMs, this.settings, fault, (closed) =>
        this.sessions.delete(closed),
      );
      this.sessions.add(session);
      session.start(this.store);
      for (const reason of SUPPRESSION_REASONS) session.addSuppression(reason, this.suppressionForNextSession[reason]);
      this.suppressionForNextSession = { RATE_LIMIT: 0, NOT_CONSUMED: 0 };
      return session;
    } finally {
      this.opening -= 1;
    }
  }

  private bufferWindowOf(request: TailRequest): number {
    const window = request.bufferWindow;
    if (!window) return this.settings.defaultBufferWindowMs;
    // An absent Duration decodes as null (handled above), so an explicit zero really means "do not buffer".
    const ms = Number(window.seconds ?? 0) * 1000 + (window.nanos ?? 0) / 1e6;
    if (!Number.isFinite(ms) || ms < 0 || ms > 60_000) {
      throw new LoggingApiError(GrpcCode.INVALID_ARGUMENT, `Invalid bufferWindow ${ms} ms: valid values are between 0 and 60000 milliseconds`);
    }
    return ms;
  }

  /** Control action `suppress`: report `count` suppressed entries in the next response of each open session. */
  injectSuppression(reason: SuppressionReason, count: number): { sessions: number } {
    if (this.sessions.size === 0) {
      this.suppressionForNextSession[reason] += count;
      return { sessions: 0 };
    }
    for (const session of this.sessions) session.addSuppression(reason, count);
    return { sessions: this.sessions.size };
  }

  snapshot(): TailSessionSnapshot[] {
    return [...this.sessions].map((session) => session.snapshot());
  }

  resetSettings(settings: TailSettings): void {
    this.settings = { ...settings };
    this.suppressionForNextSession = { RATE_LIMIT: 0, NOT_CONSUMED: 0 };
  }

  /** Ends every session (emulator shutdown). */
  closeAll(grpcCode: number, message: string): void {
    for (const session of [...this.sessions]) session.fail(grpcCode, message);
  }
}
