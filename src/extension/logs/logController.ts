// What one log view does, without the editor: runs a stream for the view's query into a buffer, posts what changed to
// the webview (rows in slices, the status line, the histogram), and restarts the stream in place when the controls
// change the query. No vscode import: the panel (logPanel.ts) gives it a `post` function and the webview's messages,
// so unit tests and the benchmark drive it as the editor does.
import {
  composeFilter,
  histogramLayout,
  LogBuffer,
  openLogStream,
  parseSince,
  SEVERITIES,
  type LogScope,
  type LogSource,
  type LogStream,
  type LogStreamEvent,
  type LogStreamOptions,
} from '../../core/logs';
import { errorText } from '../../core/text/messageText';
import { FlushBatcher, planAppend, REAL_TIMERS, type TimerApi } from './batcher';
import {
  checkViewQuery,
  describeQuery,
  describeWindow,
  LOG_WINDOWS,
  logQueryFor,
  sameQuery,
  WINDOW_LABELS,
  type FilterPreset,
  type LogViewQuery,
} from './logQuery';
import { rowFor, statusLine, type FromWebview, type ToWebview, type WebviewControls, type WebviewRow } from './messages';

/** Rows the webview keeps in its DOM: the buffer holds more (maxEntries), search reaches all of them. */
export const MAX_DOM_ROWS = 3000;
/** Rows per postMessage: a burst goes over in slices, oldest first, each a short task for the webview to draw. */
export const ROWS_PER_POST = 250;
/** The longest a flush builds rows before yielding (ms); the rest follow on the next macrotask. */
const FLUSH_BUDGET_MS = 10;
const FLUSH_MS = 100;
const STATUS_MS = 1000;
/** The status line changes with every entry; a person reads it a few times a second at most. */
const STATUS_MIN_MS = 250;
/** The histogram is recomputed over the whole buffer (O(size)): at most this often. */
const HISTOGRAM_MS = 1000;
const HISTOGRAM_BUCKETS = 60;

export interface LogControllerOptions {
  /** Names the stream in messages (a service, "service/revision" or "all services"). */
  label: string;
  scope: LogScope;
  presets: readonly FilterPreset[];
  /** Entries the buffer keeps (setting logs.maxEntries). */
  capacity: number;
  /** The query the view opens with (already checked). */
  query: LogViewQuery;
  /** Creates the Logging client; called once, on the first stream (again only if it failed). */
  openSource(): Promise<LogSource>;
  /** Whether a repository-relative file exists (stack-trace links). */
  exists(relative: string): boolean;
  post(message: ToWebview): void;
  /** The controls changed the query from `before` and the stream restarted with it (remembered for the next view). */
  onQueryApplied?(query: LogViewQuery, before: LogViewQuery): void;
  /** The stream or the client failed for good (a bad filter, no permission, no credentials). */
  onFatalError?(message: string): void;
  log?(message: string): void;
  timers?: TimerApi;
  /** Wall clock (ms) for windows and the histogram's end. */
  now?: () => number;
  /** The stream's timing (its defaults when absent): the benchmark sets the buffer window, tests shorten the rest. */
  tuning?: Pick<LogStreamOptions, 'bufferWindowMs' | 'reorderWindowMs' | 'settleMs'>;
}

interface Session {
  query: LogViewQuery;
  since: Date;
  buffer: LogBuffer;
  stream: LogStream | null;
  unsubscribes: (() => void)[];
  /** This stream replaced an earlier one of the view (the controls changed the query). */
  restarted: boolean;
  stopped: boolean;
  sourceDescription: string;
}

export class LogController {
  private session: Session;
  private source: Promise<LogSource> | undefined;
  private readonly batcher: FlushBatcher;
  private readonly timers: TimerApi;
  private readonly now: () => number;
  private statusHandle: unknown;
  private ready = false;
  private disposed = false;
  private lastSentSeq = 0;
  private search = '';
  private searchDirty = false;
  /** Showing older entries after a histogram click: new ones are not appended until the user goes back to live. */
  private browsing = false;
  private statusState = '';
  private statusAt = Number.NEGATIVE_INFINITY;
  private histogramKey = '';
  private histogramAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: LogControllerOptions) {
    this.timers = options.timers ?? REAL_TIMERS;
    this.now = options.now ?? Date.now;
    this.batcher = new FlushBatcher(() => this.flush(), FLUSH_MS, this.timers);
    this.session = this.openSession(options.query, false);
    this.tickStatus();
  }

  get buffer(): LogBuffer {
    return this.session.buffer;
  }

  get query(): LogViewQuery {
    return this.session.query;
  }

  get since(): Date {
    return this.session.since;
  }

  get stopped(): boolean {
    return this.session.stopped;
  }

  /** For the test API's getLogSessions(). */
  snapshot(): { since: string; entries: number; status: string; query: LogViewQuery } {
    const status = this.session.buffer.status();
    return { since: this.session.since.toISOString(), entries: status.totalAppended, status: status.connection, query: { ...this.session.query } };
  }

  /** A message from the webview, already validated (parseFromWebview); export and openFile are the panel's. */
  async handle(message: Exclude<FromWebview, { type: 'export' } | { type: 'openFile' }>): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.post({ type: 'controls', controls: this.controls() });
        this.post({ type: 'query', query: this.session.query });
        this.sendRows();
        this.histogramKey = '';
        this.flush();
        return;
      case 'search':
        this.search = message.text.trim();
        this.browsing = false;
        this.sendRows();
        return;
      case 'pause':
        this.session.buffer.pause();
        return;
      case 'resume':
        this.session.buffer.resume();
        return;
      case 'clear':
        this.session.buffer.clear();
        this.browsing = false;
        this.sendRows();
        return;
      case 'stop':
        await this.stop();
        return;
      case 'query':
        this.applyQuery(message.fields);
        return;
      case 'jump':
        this.jump(message.at);
        return;
      case 'live':
        this.browsing = false;
        this.sendRows();
        return;
    }
  }

  /** Stop (toolbar) ends the stream; the client stays for a restart. */
  async stop(): Promise<void> {
    const session = this.session;
    session.stopped = true;
    this.batcher.notify();
    await session.stream?.stop();
  }

  /** Closing the view: the stream stops and the client closes. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.batcher.dispose();
    if (this.statusHandle !== undefined) this.timers.clear(this.statusHandle);
    const session = this.session;
    for (const unsubscribe of session.unsubscribes) unsubscribe();
    session.stopped = true;
    try {
      await session.stream?.stop();
    } finally {
      const source = await this.source?.catch(() => undefined);
      await source?.close().catch((err: unknown) => this.options.log?.(`closing the log source: ${String(err)}`));
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The stream

  private applyQuery(fields: Parameters<typeof checkViewQuery>[0]): void {
    const checked = checkViewQuery(fields, this.options.presets);
    if ('error' in checked) {
      this.post({ type: 'queryError', message: checked.error });
      return;
    }
    const query = checked.query;
    try {
      composeFilter(logQueryFor(this.options.scope, query, this.options.presets));
    } catch (err) {
      this.post({ type: 'queryError', message: errorText(err) });
      return;
    }
    if (sameQuery(query, this.session.query) && !this.session.stopped) {
      this.post({ type: 'query', query });
      return;
    }
    const before = this.session.query;
    this.restart(query);
    this.options.onQueryApplied?.(query, before);
  }

  /** Replaces the stream in place: the old one is stopped and forgotten, the rows and histogram start over. */
  private restart(query: LogViewQuery): void {
    const old = this.session;
    for (const unsubscribe of old.unsubscribes) unsubscribe();
    old.stopped = true;
    void old.stream?.stop().catch((err: unknown) => this.options.log?.(`stopping the replaced stream: ${String(err)}`));
    this.session = this.openSession(query, true);
    this.browsing = false;
    this.post({ type: 'query', query });
    this.sendRows();
    this.histogramKey = '';
    this.batcher.notify();
  }

  private openSession(query: LogViewQuery, restarted: boolean): Session {
    const filter = composeFilter(logQueryFor(this.options.scope, query, this.options.presets));
    const since = parseSince(query.window, new Date(this.now()));
    const buffer = new LogBuffer({ capacity: this.options.capacity });
    const session: Session = { query, since, buffer, stream: null, unsubscribes: [], restarted, stopped: false, sourceDescription: '' };
    session.unsubscribes.push(
      buffer.onDidChange(() => {
        // Any change (new entries, a resume releasing queued ones, a clear) can change what a search matches.
        if (this.search !== '') this.searchDirty = true;
        this.batcher.notify();
      }),
    );
    this.lastSentSeq = 0;
    this.options.log?.(`opening logs for ${this.options.label}: ${filter} (${describeWindow(query.window)})`);
    this.source ??= this.options.openSource();
    this.source.then(
      (source) => {
        if (this.session !== session || session.stopped || this.disposed) return;
        session.sourceDescription = source.description;
        const stream = openLogStream(source, { ...this.options.tuning, filter, since, historyLimit: this.options.capacity });
        session.stream = stream;
        session.unsubscribes.push(stream.on((event) => this.onStreamEvent(session, event)));
        stream.start();
      },
      (err: unknown) => {
        // The next query change tries again (credentials may have been fixed meanwhile).
        this.source = undefined;
        if (this.session !== session) return;
        const message = `Cannot read logs: ${errorText(err)}`;
        session.stopped = true;
        buffer.applyEvent({ type: 'error', message, code: null, fatal: true });
        this.options.onFatalError?.(message);
      },
    );
    return session;
  }

  private onStreamEvent(session: Session, event: LogStreamEvent): void {
    session.buffer.applyEvent(event);
    if (event.type === 'error') {
      this.options.log?.(`${this.options.label}: ${event.message}${event.fatal ? '' : ' (retrying)'}`);
      // A fatal error (a bad filter, no permission) ends the stream: say so where the user looks, in the API's words.
      if (event.fatal) this.options.onFatalError?.(`Logs of ${this.options.label}: ${event.message}`);
    }
    if (event.type === 'end') {
      session.stopped = true;
      this.batcher.notify();
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Posting to the webview

  private post(message: ToWebview): void {
    if (this.ready && !this.disposed) this.options.post(message);
  }

  private controls(): WebviewControls {
    return {
      presets: this.options.presets.map((p) => ({ id: p.id, label: p.label, query: p.query })),
      severities: SEVERITIES.filter((s) => s !== 'DEFAULT'),
      windows: LOG_WINDOWS.map((value) => ({ value, label: WINDOW_LABELS[value] })),
    };
  }

  private rows(fromSeq: number, toSeq: number): WebviewRow[] {
    return this.session.buffer.slice(fromSeq, toSeq).map((entry, i) => rowFor(fromSeq + i, entry, this.options.exists));
  }

  private flush(): void {
    if (!this.ready || this.disposed) return;
    const session = this.session;
    const buffer = session.buffer;
    if (this.search !== '') {
      if (this.searchDirty) this.sendSearch();
    } else if (!this.browsing) {
      // Slices of ROWS_PER_POST rows, oldest first: each is a short task for the webview to draw. Rows are built for
      // FLUSH_BUDGET_MS at most per task; what is left goes in the next one.
      const started = this.timers.now();
      for (;;) {
        const plan = planAppend(this.lastSentSeq, buffer.firstSeq, buffer.nextSeq, MAX_DOM_ROWS, ROWS_PER_POST);
        if (!plan) break;
        this.post({ type: 'append', rows: this.rows(plan.fromSeq, plan.toSeq), skipped: plan.skipped });
        this.lastSentSeq = plan.toSeq;
        if (plan.toSeq < buffer.nextSeq && this.timers.now() - started >= FLUSH_BUDGET_MS) {
          this.batcher.soon();
          break;
        }
      }
    }
    this.sendStatus();
    this.sendHistogram();
  }

  /** At most every STATUS_MIN_MS (a burst's slices do not each repeat it), at once when the state it shows changed. */
  private sendStatus(): void {
    const session = this.session;
    const status = session.buffer.status();
    const state = `${status.connection}:${status.paused}:${session.stopped}:${this.browsing}:${status.size === 0}`;
    const now = this.timers.now();
    if (state === this.statusState && now - this.statusAt < STATUS_MIN_MS) return;
    this.statusState = state;
    this.statusAt = now;
    const description = `${describeQuery(session.query, this.options.presets)} · ${describeWindow(session.query.window)}${session.sourceDescription ? ` · ${session.sourceDescription}` : ''}`;
    this.post({ type: 'status', line: statusLine(status, description, session.restarted), paused: status.paused, stopped: session.stopped, browsing: this.browsing });
  }

  /** Recomputed over the buffer at most every HISTOGRAM_MS, and only posted when it changed. */
  private sendHistogram(): void {
    const now = this.now();
    const forced = this.histogramKey === '';
    if (!forced && now - this.histogramAt < HISTOGRAM_MS) return;
    const buffer = this.session.buffer;
    const newest = buffer.size > 0 ? buffer.timeAt(buffer.nextSeq - 1)! : Number.NaN;
    const to = Number.isFinite(newest) ? Math.max(now, newest) : now;
    const layout = histogramLayout(this.session.since.getTime(), to, HISTOGRAM_BUCKETS);
    const key = `${layout.startMs}:${layout.bucketMs}:${layout.count}:${buffer.firstSeq}:${buffer.nextSeq}`;
    this.histogramAt = now;
    if (key === this.histogramKey) return;
    this.histogramKey = key;
    const histogram = buffer.histogram(layout);
    this.post({ type: 'histogram', histogram: { startMs: histogram.startMs, bucketMs: histogram.bucketMs, counts: histogram.counts } });
  }

  /** Search runs over the whole buffer (core's search), not only the rows the DOM holds. */
  private sendSearch(): void {
    this.searchDirty = false;
    const buffer = this.session.buffer;
    let seqs: number[];
    try {
      seqs = buffer.search(this.search, { limit: MAX_DOM_ROWS });
    } catch {
      seqs = [];
    }
    const rows = seqs.flatMap((seq) => {
      const entry = buffer.at(seq);
      return entry ? [rowFor(seq, entry, this.options.exists)] : [];
    });
    this.post({ type: 'reset', rows, note: `${rows.length}${rows.length === MAX_DOM_ROWS ? '+' : ''} matching “${this.search}”` });
  }

  /** Replaces the rows: the search's matches, or the newest rows (after clear, a restart, or back to live). */
  private sendRows(): void {
    if (this.search !== '') {
      this.sendSearch();
      return;
    }
    const buffer = this.session.buffer;
    const from = Math.max(buffer.firstSeq, buffer.nextSeq - MAX_DOM_ROWS);
    this.post({ type: 'reset', rows: this.rows(from, buffer.nextSeq), note: null });
    this.lastSentSeq = buffer.nextSeq;
    this.batcher.notify();
  }

  /**
   * A histogram bar was clicked: the view shows the first entry at or after `at`. Within the newest MAX_DOM_ROWS (what
   * following the stream shows) the rows stay as they are; further back the view shows MAX_DOM_ROWS rows from there
   * and holds new ones back until the user goes back to live. While searching, the view finds it among its matches.
   */
  private jump(at: number): void {
    if (this.search !== '') return;
    const buffer = this.session.buffer;
    if (buffer.size === 0) return;
    const seq = Math.min(buffer.firstAtOrAfter(at), buffer.nextSeq - 1);
    const tailFrom = Math.max(buffer.firstSeq, buffer.nextSeq - MAX_DOM_ROWS);
    const from = seq >= tailFrom ? tailFrom : seq;
    const to = Math.min(buffer.nextSeq, from + MAX_DOM_ROWS);
    this.browsing = to < buffer.nextSeq;
    const note = this.browsing ? `Showing ${to - from} entries from ${buffer.at(from)!.timestamp}; newer entries wait until you go back to live.` : null;
    this.post({ type: 'reset', rows: this.rows(from, to), note, focusSeq: seq });
    this.lastSentSeq = to;
    this.batcher.notify();
  }

  private tickStatus(): void {
    // The rate decays while a stream is quiet; without a periodic status the line would freeze at the last burst.
    this.statusHandle = this.timers.set(() => {
      if (this.disposed) return;
      this.batcher.notify();
      this.tickStatus();
    }, STATUS_MS);
  }
}
