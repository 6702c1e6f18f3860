// UI checks of the log view in the real editor: Open Logs from the Command Palette, from a service row's inline
// action and from the status bar item of a running deploy, each opening the view at once; then, inside the view's
// webview (playwright in its iframe), the filter and window controls (each change restarts the stream in place),
// search, pause/resume, export (.jsonl and .log through the editor's save dialog), the histogram and its bars,
// clear, stop and two streams at once. Every expectation is about entries this page writes into the emulator's Cloud Logging
// (POST /control/logs) while it runs, each carrying a token unique to the run, so a view that shows too few, too
// many, doubled or out-of-order entries fails.
import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import {
  clickInlineAction,
  openContainer,
  pickItem,
  resetEmulator,
  runFromPalette,
  serviceRow,
  showNotificationCenter,
  until,
  UiSkip,
  verdictsLoad,
  waitForNotification,
  type UiContext,
  type UiPage,
} from './checks';
import { describeLatency, measureViewLatency } from './logLatency';
import { exportThroughSaveDialog } from './saveDialog';

const COORDINATOR = 'prediction-coordinator';
const WORKER = 'prediction-worker';
const OPEN_LOGS_COMMAND = 'cloudRunDrift.openLogs';
const OPEN_DEPLOY_LOGS_COMMAND = 'cloudRunDrift.openDeployLogs';

interface Written {
  /** `<marker>-<tag>`, e.g. `uilogm3x9k2-h1`: what the checks look for in rows and files. */
  token: string;
  service: string;
  revision: string;
  severity: string;
  text: string;
  timestamp: string;
  insertId: string;
}

interface EntrySpec {
  tag: string;
  service?: string;
  /** Default: `<service>-00042-e2e`. */
  revision?: string;
  severity?: string;
  words?: string;
  /** Default: now (a live entry). */
  at?: number;
}

/** The entries this page wrote, and the token every one of them carries. */
class LogScript {
  readonly marker = `uilog${Date.now().toString(36)}`;
  readonly written = new Map<string, Written>();

  constructor(private readonly emulatorUrl: string) {}

  token(tag: string): string {
    return `${this.marker}-${tag}`;
  }

  tokens(...tags: string[]): string[] {
    return tags.map((tag) => this.token(tag));
  }

  /** POST /control/logs: what a running service would log, as the Cloud Logging API then serves it. */
  async write(specs: EntrySpec[]): Promise<Written[]> {
    let now = Date.now();
    const entries = specs.map((spec): Written => {
      const service = spec.service ?? COORDINATOR;
      const token = this.token(spec.tag);
      // Distinct, increasing timestamps: the view orders by timestamp, and so do these expectations.
      const at = spec.at ?? now++;
      return {
        token,
        service,
        revision: spec.revision ?? `${service}-00042-e2e`,
        severity: spec.severity ?? 'INFO',
        text: `${token} ${spec.words ?? 'entry'}`,
        timestamp: new Date(at).toISOString(),
        insertId: `${token}-insert`,
      };
    });
    const response = await fetch(`${this.emulatorUrl}/control/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        entries: entries.map((e) => ({ service: e.service, revision: e.revision, severity: e.severity, textPayload: e.text, timestamp: e.timestamp, insertId: e.insertId })),
      }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`emulator /control/logs: HTTP ${response.status} ${await response.text()}`);
    for (const entry of entries) this.written.set(entry.token, entry);
    return entries;
  }

  entry(tag: string): Written {
    const entry = this.written.get(this.token(tag));
    if (!entry) throw new Error(`no entry ${tag} was written`);
    return entry;
  }
}

async function emulatorPost(emulatorUrl: string, action: string, body: unknown): Promise<void> {
  const response = await fetch(`${emulatorUrl}/control/${action}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`emulator /control/${action}: HTTP ${response.status} ${await response.text()}`);
}

/** Tail sessions open in the emulator's Cloud Logging (one per streaming view): an empty POST /control/logs reports them. */
async function openTailSessions(emulatorUrl: string): Promise<number> {
  const response = await fetch(`${emulatorUrl}/control/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"entries": []}', signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`emulator /control/logs: HTTP ${response.status} ${await response.text()}`);
  return ((await response.json()) as { openTailSessions: number }).openTailSessions;
}

async function expectTailSessions(page: Page, emulatorUrl: string, what: string, expected: number): Promise<void> {
  await until(what, 15_000, async () => {
    const open = await openTailSessions(emulatorUrl);
    return open === expected ? undefined : `${open} tail sessions open in the emulator, expected ${expected}`;
  }, page);
}

// ---------------------------------------------------------------------------------------------
// The workbench: palette, quick picks, input boxes, tabs.

/** Open Logs asks nothing: no quick pick or input box may be waiting once the view shows. */
async function expectNoPrompt(page: Page): Promise<void> {
  const prompt = page.locator('.quick-input-widget');
  if (await prompt.isVisible()) {
    const text = await prompt.innerText().catch(() => '');
    assert.fail(`Open Logs left a prompt open: "${text.replace(/\s+/g, ' ').slice(0, 200)}"`);
  }
}

function editorTab(page: Page, title: string) {
  return page.locator(`.part.editor .tabs-container .tab[aria-label="${title}"]`).first();
}

async function activateTab(page: Page, title: string): Promise<void> {
  const tab = editorTab(page, title);
  await tab.waitFor({ state: 'visible', timeout: 10_000 });
  await tab.click();
}

// ---------------------------------------------------------------------------------------------
// The log view's webview (its inner iframe, found by the document title the panel gives it).

/** The frame of the log view titled `title` (`Logs: <service>`), once its script has drawn the status line. */
async function logView(page: Page, title: string, timeoutMs = 30_000): Promise<Frame> {
  let found: Frame | undefined;
  await until(
    `a log view titled "${title}"`,
    timeoutMs,
    async () => {
      const titles: string[] = [];
      for (const frame of page.frames()) {
        const state = await frame
          .locator('html')
          .evaluate(
            (html) => {
              const doc = html.ownerDocument;
              return { title: doc.title, ready: doc.getElementById('rows') !== null && doc.getElementById('status')?.textContent !== 'starting…' };
            },
            undefined,
            { timeout: 2_000 },
          )
          .catch(() => undefined);
        if (!state) continue;
        if (state.title) titles.push(state.title);
        if (state.title === title && state.ready) {
          found = frame;
          return undefined;
        }
      }
      return `frames titled: ${titles.map((t) => `"${t}"`).join(', ') || 'none'}`;
    },
    page,
  );
  return found!;
}

interface ViewState {
  /** The run's tokens in the rows shown, top to bottom. */
  tokens: string[];
  rows: number;
  status: string;
  note: string | null;
}

async function viewState(frame: Frame, marker: string): Promise<ViewState> {
  return frame.locator('body').evaluate(
    (body, m) => {
      const doc = body.ownerDocument;
      const rows: { textContent: string | null }[] = [...doc.querySelectorAll('#rows .row')];
      const pattern = new RegExp(`${m}-[a-z]+\\d+`, 'g');
      const note = doc.getElementById('note');
      return {
        tokens: rows.flatMap((row) => (row.textContent ?? '').match(pattern) ?? []),
        rows: rows.length,
        status: (doc.getElementById('status')?.textContent as string | undefined) ?? '',
        note: note && !note.hidden ? ((note.textContent as string | null) ?? '') : null,
      };
    },
    marker,
    { timeout: 5_000 },
  );
}

function describeView(state: ViewState): string {
  return `rows [${state.tokens.join(', ')}] (${state.rows} rows); status "${state.status}"${state.note ? `; note "${state.note}"` : ''}`;
}

/**
 * Waits until the view shows exactly `tokens`, in this order, one row each (no other rows unless `othersAllowed`),
 * and `extra(state)` has nothing to say.
 */
async function expectRows(
  page: Page,
  frame: Frame,
  script: LogScript,
  what: string,
  tokens: string[],
  options: { timeoutMs?: number; othersAllowed?: boolean; extra?: (state: ViewState) => string | undefined } = {},
): Promise<ViewState> {
  let last: ViewState | undefined;
  await until(
    what,
    options.timeoutMs ?? 30_000,
    async () => {
      last = await viewState(frame, script.marker);
      if (last.tokens.join() !== tokens.join()) return `expected [${tokens.join(', ')}]; ${describeView(last)}`;
      if (!options.othersAllowed && last.rows !== tokens.length) return `${last.rows - tokens.length} rows without this run's entries; ${describeView(last)}`;
      const problem = options.extra?.(last);
      return problem === undefined ? undefined : `${problem}; ${describeView(last)}`;
    },
    page,
  );
  return last!;
}

/** Types into one of the view's text controls (text, raw query, custom start) and presses Enter, as a person does. */
async function typeInView(frame: Frame, id: 'text' | 'raw' | 'since', value: string): Promise<void> {
  const input = frame.locator(`#${id}`);
  await input.fill(value);
  await input.press('Enter');
}

/** Chooses an option of one of the view's selects by its label. */
async function chooseInView(frame: Frame, id: 'preset' | 'severity' | 'window', label: string): Promise<void> {
  await frame.locator(`#${id}`).selectOption({ label });
}

/** The labels a select of the view offers. */
async function viewOptions(frame: Frame, id: 'preset' | 'severity' | 'window'): Promise<string[]> {
  return frame.locator(`#${id} option`).evaluateAll((els) => els.map((el) => el.textContent ?? ''));
}

/** The histogram's bars as the view draws them. */
async function histogramBars(frame: Frame): Promise<{ start: number; end: number; total: number; segments: number; height: number }[]> {
  return frame.locator('#histogram .bucket').evaluateAll((els) =>
    els.map((el) => ({
      start: Number(el.getAttribute('data-start')),
      end: Number(el.getAttribute('data-end')),
      total: Number(el.getAttribute('data-total')),
      segments: el.querySelectorAll('.segment').length,
      height: Math.round([...el.querySelectorAll('.segment')].reduce((sum, seg) => sum + seg.getBoundingClientRect().height, 0)),
    })),
  );
}

/** The webview's own toolbar button (what a person clicks). */
async function clickViewButton(frame: Frame, id: string): Promise<void> {
  await frame.locator(`#${id}`).click({ timeout: 10_000 });
}

/** Clicks an Export button, answers the editor's save dialog with `target`, and waits for the file and the notification. */
function exportEntries(page: Page, frame: Frame, button: string, target: string, entries: number): Promise<string> {
  return exportThroughSaveDialog(page, frame, button, target, new RegExp(`^Exported ${entries} entries to ${path.basename(target).replace(/\./g, '\\.')}\\.`));
}

// ---------------------------------------------------------------------------------------------
// The pages.

/** The deploy's log view: opened, starting when the deploy started, showing what is logged since and nothing before. */
async function expectDeployLogView(page: Page, s: LogScript, deployClickedAt: number, openedAt: number): Promise<void> {
  const view = await logView(page, `Logs: ${COORDINATOR} (since deploy)`);
  const status = (await viewState(view, s.marker)).status;
  const since = /· all entries · since (\S+) · /.exec(status)?.[1];
  assert.ok(since, `the status line names no start: "${status}"`);
  const sinceMs = Date.parse(since);
  assert.ok(
    sinceMs >= deployClickedAt - 1_000 && sinceMs <= openedAt,
    `the logs start at ${since}, not when the deploy started (Deploy was clicked at ${new Date(deployClickedAt).toISOString()})`,
  );
  await s.write([{ tag: 'd1', words: 'logged since the deploy started' }]);
  // The entry written a second before the deploy (b1), and any earlier one of this run, is outside the window.
  await expectRows(page, view, s, 'only the entry logged since the deploy started', s.tokens('d1'), { othersAllowed: true });
}

function requireCommands(ctx: UiContext, ...commands: string[]): void {
  const missing = commands.filter((c) => !ctx.commands.includes(c));
  if (missing.length > 0) throw new UiSkip(`${missing.join(', ')} not contributed in package.json`);
}

/** A fresh page definition: its checks share the entries they write and the views they open. */
export function logViewPage(): UiPage {
  let script: LogScript | undefined;
  const scriptOf = (ctx: UiContext): LogScript => (script ??= new LogScript(ctx.emulatorUrl));
  const coordinatorTitle = `Logs: ${COORDINATOR}`;
  const workerTitle = `Logs: ${WORKER}`;
  const exportBase = (ctx: UiContext, s: LogScript): string => path.join(path.dirname(ctx.folder), `ui-logs-${s.marker}`);

  return {
    name: 'logs',
    profile: 'trusted',
    folder: 'demo',
    checks: [
      verdictsLoad,
      {
        name: 'Open Logs from the Command Palette opens the view at once (no prompt, all entries of the last hour); its text and window controls then show the matching history and live entries, each once, with entries/s and reconnects in the status line',
        timeoutMs: 90_000,
        async run(ctx) {
          requireCommands(ctx, OPEN_LOGS_COMMAND);
          const s = scriptOf(ctx);
          const now = Date.now();
          // History: written before the view opens, within its window.
          await s.write([
            { tag: 'h1', severity: 'INFO', words: 'alpha history', at: now - 3000 },
            { tag: 'h2', severity: 'WARNING', words: 'beta history', at: now - 2000 },
            { tag: 'h3', severity: 'ERROR', words: 'alpha history', at: now - 1000 },
          ]);
          await runFromPalette(ctx.page, 'Cloud Run Drift: Open Logs');
          await pickItem(ctx.page, COORDINATOR);
          const view = await logView(ctx.page, coordinatorTitle);
          await expectNoPrompt(ctx.page);
          // Nothing was used before in this workspace: every entry of the last hour (the demo's seeded ones among them).
          await expectRows(ctx.page, view, s, 'the default query: every entry of the last hour', s.tokens('h1', 'h2', 'h3'), {
            othersAllowed: true,
            extra: (v) => (/ · live · 0 reconnects · all entries · since 1h ago · /.test(v.status) ? undefined : 'the status line does not say all entries since 1h ago, live'),
          });
          await typeInView(view, 'text', s.marker);
          await chooseInView(view, 'window', 'Last 15 minutes');
          await expectRows(ctx.page, view, s, 'the history written before opening', s.tokens('h1', 'h2', 'h3'), {
            extra: (v) => (v.status.includes(' · live · ') ? undefined : 'the tail is not live yet'),
          });
          // Live: the same service's entries matching the filter arrive; one that does not match (no marker) stays out.
          await s.write([{ tag: 'l1', words: 'beta live' }, { tag: 'l2', words: 'alpha live' }, { tag: 'l3', severity: 'NOTICE', words: 'beta live' }]);
          await emulatorPost(ctx.emulatorUrl, 'logs', { entries: [{ service: COORDINATOR, severity: 'INFO', textPayload: `unrelated entry ${Date.now()}` }] });
          // The status line: entries, entries/s, connection, reconnects, the filter and the window.
          const statusPattern = new RegExp(`^6 entries · \\d+\\.\\d/s · live · 0 reconnects · “${s.marker}” · since 15m ago · `);
          await expectRows(ctx.page, view, s, 'the live entries after the history, and the status line counting them', s.tokens('h1', 'h2', 'h3', 'l1', 'l2', 'l3'), {
            extra: (v) => (statusPattern.test(v.status) ? undefined : `the status line does not match ${statusPattern}`),
          });
          // Severity is shown per row, as written.
          const severities = await view.locator('#rows .row .sev').evaluateAll((els) => els.map((e) => e.textContent));
          assert.deepEqual(severities, ['INFO', 'WARNING', 'ERROR', 'INFO', 'INFO', 'NOTICE']);
        },
      },
      {
        name: 'changing the severity or the saved filter inside the view restarts the stream in place (its tail session replaced, not added) and shows only matching rows; "Errors" is offered once',
        timeoutMs: 90_000,
        async run(ctx) {
          const s = scriptOf(ctx);
          const view = await logView(ctx.page, coordinatorTitle);
          const all = s.tokens('h1', 'h2', 'h3', 'l1', 'l2', 'l3');
          const sessions = await openTailSessions(ctx.emulatorUrl);
          // The demo config's saved "Errors" is the built-in "Errors only" query: one entry, named once.
          assert.deepEqual(await viewOptions(view, 'preset'), ['All entries', 'Errors', 'MERGE']);
          await chooseInView(view, 'severity', 'WARNING and above');
          await expectRows(ctx.page, view, s, 'only the WARNING and ERROR entries', s.tokens('h2', 'h3'), {
            extra: (v) => (/^2 entries · .* · live · 0 reconnects · WARNING and above · “[^”]+” · since 15m ago · /.test(v.status) ? undefined : 'the status line does not name the new query, live'),
          });
          await chooseInView(view, 'severity', 'Any');
          await chooseInView(view, 'preset', 'Errors');
          await expectRows(ctx.page, view, s, 'only the ERROR entry', s.tokens('h3'), {
            extra: (v) => (/ · live · 0 reconnects · Errors · “[^”]+” · since 15m ago · /.test(v.status) ? undefined : 'the status line does not name the saved filter, live'),
          });
          await expectTailSessions(ctx.page, ctx.emulatorUrl, 'one tail session for the view after two restarts', sessions);
          await chooseInView(view, 'preset', 'All entries');
          await expectRows(ctx.page, view, s, 'every entry again', all, { extra: (v) => (v.status.includes(' · live · ') ? undefined : 'not live yet') });
          // A raw query that does not keep to its parentheses is refused where it was typed; the stream runs on.
          await typeInView(view, 'raw', 'a) OR (resource.type="gce_instance"');
          await until('the view to refuse the query', 10_000, async () => {
            const error = (await view.locator('#query-error').isVisible()) ? await view.locator('#query-error').innerText() : '';
            return /^Logging query: the query has a "\)" without a matching "\("/.test(error) ? undefined : `error shown: "${error}"`;
          }, ctx.page);
          await expectRows(ctx.page, view, s, 'every entry still', all);
          await typeInView(view, 'raw', '');
          await until('the error to clear', 10_000, async () => ((await view.locator('#query-error').isVisible()) ? 'still shown' : undefined), ctx.page);
        },
      },
      {
        name: 'search narrows the view to the matching entries (new matches join while searching) and clearing it shows every entry again',
        timeoutMs: 60_000,
        async run(ctx) {
          const s = scriptOf(ctx);
          const view = await logView(ctx.page, coordinatorTitle);
          await view.locator('#search').fill('alpha');
          await expectRows(ctx.page, view, s, 'only the entries matching "alpha"', s.tokens('h1', 'h3', 'l2'), {
            extra: (v) => (v.note === '3 matching “alpha”' ? undefined : 'no "3 matching “alpha”" note'),
          });
          // An entry arriving during the search is searched too.
          await s.write([{ tag: 's1', words: 'alpha during search' }, { tag: 's2', words: 'beta during search' }]);
          await expectRows(ctx.page, view, s, 'the new match joining the search results', s.tokens('h1', 'h3', 'l2', 's1'));
          await view.locator('#search').fill('');
          await expectRows(ctx.page, view, s, 'every entry once the search is cleared', s.tokens('h1', 'h2', 'h3', 'l1', 'l2', 'l3', 's1', 's2'), {
            extra: (v) => (v.note === null ? undefined : 'the search note is still shown'),
          });
        },
      },
      {
        name: 'Pause holds the entries that arrive meanwhile (the status line counts them) and Resume shows each of them once, in order',
        timeoutMs: 60_000,
        async run(ctx) {
          const s = scriptOf(ctx);
          const view = await logView(ctx.page, coordinatorTitle);
          const before = s.tokens('h1', 'h2', 'h3', 'l1', 'l2', 'l3', 's1', 's2');
          await clickViewButton(view, 'pause');
          await expectRows(ctx.page, view, s, 'the view paused', before, {
            extra: (v) => (v.status.includes('paused, 0 waiting') ? undefined : 'the status line does not say paused'),
          });
          assert.equal(await view.locator('#pause').innerText(), 'Resume');
          await s.write([{ tag: 'p1', words: 'gamma paused' }, { tag: 'p2', words: 'gamma paused' }, { tag: 'p3', words: 'gamma paused' }, { tag: 'p4', words: 'gamma paused' }]);
          // They reached the extension (counted as waiting) but are not shown.
          await expectRows(ctx.page, view, s, 'the four entries waiting while paused, not shown', before, {
            extra: (v) => (v.status.includes('paused, 4 waiting') ? undefined : 'the status line does not count 4 waiting'),
          });
          await clickViewButton(view, 'pause');
          await expectRows(ctx.page, view, s, 'each held entry shown once after Resume', [...before, ...s.tokens('p1', 'p2', 'p3', 'p4')], {
            extra: (v) => (v.status.includes('paused') ? 'the status line still says paused' : undefined),
          });
          assert.equal(await view.locator('#pause').innerText(), 'Pause');
        },
      },
      {
        name: 'Export .jsonl and Export .log, through the editor’s save dialog, write exactly the entries the view holds',
        timeoutMs: 90_000,
        async run(ctx) {
          const s = scriptOf(ctx);
          const view = await logView(ctx.page, coordinatorTitle);
          const expected = ['h1', 'h2', 'h3', 'l1', 'l2', 'l3', 's1', 's2', 'p1', 'p2', 'p3', 'p4'].map((tag) => s.entry(tag));
          await expectRows(ctx.page, view, s, 'the view before exporting', expected.map((e) => e.token));

          const jsonl = await exportEntries(ctx.page, view, 'export-jsonl', `${exportBase(ctx, s)}.jsonl`, expected.length);
          const lines = jsonl.split('\n');
          assert.equal(lines.pop(), '', 'the .jsonl file ends with a newline');
          const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
          assert.deepEqual(
            parsed.map((e) => ({ insertId: e['insertId'], severity: e['severity'], service: e['service'], revision: e['revision'], text: e['text'], time: Date.parse(String(e['timestamp'])) })),
            expected.map((e) => ({ insertId: e.insertId, severity: e.severity, service: e.service, revision: e.revision, text: e.text, time: Date.parse(e.timestamp) })),
            'one JSON object per entry, in the view’s order, each the entry as the API served it',
          );

          const log = await exportEntries(ctx.page, view, 'export-log', `${exportBase(ctx, s)}.log`, expected.length);
          const logLines = log.split('\n');
          assert.equal(logLines.pop(), '', 'the .log file ends with a newline');
          assert.equal(logLines.length, expected.length, log);
          // "<timestamp> <severity, padded> <revision> <text>": one line per entry.
          logLines.forEach((line, i) => {
            const e = expected[i]!;
            const match = /^(\S+) (\S+) +(\S+) (.*)$/.exec(line);
            assert.ok(match, `line ${i + 1} is "timestamp severity revision text": ${line}`);
            assert.deepEqual([Date.parse(match[1]!), match[2], match[3], match[4]], [Date.parse(e.timestamp), e.severity, e.revision, e.text], `line ${i + 1}: ${line}`);
          });
        },
      },
      {
        name: 'the view follows new entries only while the reader is at the bottom: scrolled up, the reading position stays put',
        timeoutMs: 60_000,
        async run(ctx) {
          const s = scriptOf(ctx);
          const view = await logView(ctx.page, coordinatorTitle);
          const held = s.tokens('h1', 'h2', 'h3', 'l1', 'l2', 'l3', 's1', 's2', 'p1', 'p2', 'p3', 'p4');
          const overflow = Array.from({ length: 60 }, (_, i) => `a${i}`);
          await s.write(overflow.map((tag) => ({ tag, words: 'epsilon scrolling' })));
          await expectRows(ctx.page, view, s, 'enough entries to overflow the view', [...held, ...s.tokens(...overflow)]);
          const rows = view.locator('#rows');
          const position = (): Promise<{ top: number; max: number }> => rows.evaluate((el) => ({ top: el.scrollTop, max: el.scrollHeight - el.clientHeight }));
          const expectPosition = (what: string, ok: (p: { top: number; max: number }) => boolean): Promise<void> =>
            until(what, 10_000, async () => {
              const p = await position();
              return ok(p) ? undefined : `scrollTop ${p.top} of ${p.max}`;
            }, ctx.page);
          await expectPosition('the view to overflow and follow to the bottom', (p) => p.max > 100 && p.max - p.top <= 2);

          // The reader scrolls up with the mouse wheel, as a person does, to read an older entry.
          await rows.hover();
          await ctx.page.mouse.wheel(0, -100_000);
          await expectPosition('the view scrolled to the top', (p) => p.top === 0);
          await s.write([{ tag: 'b1', words: 'zeta while reading' }, { tag: 'b2', words: 'zeta while reading' }]);
          await expectRows(ctx.page, view, s, 'the entries arriving while the reader is scrolled up', [...held, ...s.tokens(...overflow, 'b1', 'b2')]);
          assert.equal((await position()).top, 0, 'new entries did not move the reading position');

          // Back at the bottom, the view follows again.
          await ctx.page.mouse.wheel(0, 100_000);
          await expectPosition('the view scrolled back to the bottom', (p) => p.max - p.top <= 2);
          await s.write([{ tag: 'b3', words: 'eta at the bottom' }]);
          await expectRows(ctx.page, view, s, 'the entry arriving at the bottom', [...held, ...s.tokens(...overflow, 'b1', 'b2', 'b3')]);
          await expectPosition('the view to follow the new entry', (p) => p.max - p.top <= 2);
        },
      },
      {
        name: 'the histogram above the list counts the entries held by severity; clicking a bar shows its first entry and stops following',
        timeoutMs: 45_000,
        async run(ctx) {
          const s = scriptOf(ctx);
          const view = await logView(ctx.page, coordinatorTitle);
          const held = (await viewState(view, s.marker)).tokens;
          let bars: Awaited<ReturnType<typeof histogramBars>> = [];
          await until('the histogram to count every entry held', 10_000, async () => {
            bars = await histogramBars(view);
            const total = bars.reduce((sum, b) => sum + b.total, 0);
            return total === held.length ? undefined : `${bars.length} bars counting ${total} entries, the view holds ${held.length}`;
          }, ctx.page);
          assert.ok(bars.length >= 2 && bars.length <= 61, `${bars.length} bars for 15 minutes`);
          assert.ok(bars.filter((b) => b.total > 0).every((b) => b.segments > 0 && b.height > 0), `a bar with entries is not drawn: ${JSON.stringify(bars.filter((b) => b.total > 0))}`);
          // h2 (WARNING) and h3 (ERROR) are drawn in their own colors: more than one segment in their bar.
          const h3 = Date.parse(s.entry('h3').timestamp);
          const bar = bars.find((b) => b.start <= h3 && h3 < b.end)!;
          assert.ok(bar.segments >= 2, `h3's bar has ${bar.segments} segment(s)`);
          // The reader is at the bottom; the bar of the first entries is far above.
          const h1 = Date.parse(s.entry('h1').timestamp);
          const first = bars.find((b) => b.start <= h1 && h1 < b.end)!;
          await view.locator(`#histogram .bucket[data-start="${first.start}"]`).click();
          await until('the first entry of the bar to be shown and marked', 10_000, async () => {
            const state = await view.locator('#rows').evaluate((rows, token) => {
              const target = [...rows.querySelectorAll('.row')].find((row) => (row.textContent ?? '').includes(token));
              if (!target) return 'no row';
              const box = target.getBoundingClientRect();
              const frame = rows.getBoundingClientRect();
              return `${box.top >= frame.top - 1 && box.bottom <= frame.bottom + 1 ? 'visible' : `at ${Math.round(box.top - frame.top)} px of ${Math.round(frame.height)}`} ${target.classList.contains('focus') ? 'marked' : 'unmarked'}`;
            }, s.token('h1'));
            return state === 'visible marked' ? undefined : `h1's row: ${state}`;
          }, ctx.page);
          const top = await view.locator('#rows').evaluate((el) => el.scrollTop);
          await s.write([{ tag: 'j1', words: 'theta after the jump' }]);
          await expectRows(ctx.page, view, s, 'the entry arriving after the jump', [...held, s.token('j1')]);
          assert.equal(await view.locator('#rows').evaluate((el) => el.scrollTop), top, 'a new entry pulled the view away from the row the reader jumped to');
        },
      },
      {
        name: 'Clear empties the view; entries arriving afterwards still show',
        timeoutMs: 45_000,
        async run(ctx) {
          const s = scriptOf(ctx);
          const view = await logView(ctx.page, coordinatorTitle);
          await clickViewButton(view, 'clear');
          await expectRows(ctx.page, view, s, 'an empty view after Clear', [], { extra: (v) => (v.status.startsWith('0 entries · ') ? undefined : 'the status line does not say 0 entries') });
          await s.write([{ tag: 'c1', words: 'delta after clear' }]);
          await expectRows(ctx.page, view, s, 'the entry written after Clear, alone', s.tokens('c1'), {
            extra: (v) => (v.status.startsWith('1 entries · ') ? undefined : 'the status line does not count 1 entry'),
          });
        },
      },
      {
        name: 'two streams at once: Open Logs inline on prediction-worker’s row opens a second view, and each view shows only its own service’s entries',
        timeoutMs: 90_000,
        async run(ctx) {
          const s = scriptOf(ctx);
          await openContainer(ctx.page, ctx.containerTitle);
          await clickInlineAction(ctx.page, WORKER, 'Open Logs');
          const worker = await logView(ctx.page, workerTitle);
          await expectNoPrompt(ctx.page);
          // It opens with the query the coordinator view's controls applied last: this run's text, the last 15 minutes.
          await expectRows(ctx.page, worker, s, 'the worker view live and empty, with the last query used', [], {
            extra: (v) => (v.status.includes(` · live · 0 reconnects · “${s.marker}” · since 15m ago · `) ? undefined : 'not live with the remembered query yet'),
          });
          await s.write([{ tag: 'w1', service: WORKER, words: 'worker entry' }, { tag: 'c2', words: 'coordinator entry' }]);
          await expectRows(ctx.page, worker, s, 'the worker view: the worker entry only', s.tokens('w1'));
          // The coordinator view is in a background tab, still streaming.
          const coordinator = await logView(ctx.page, coordinatorTitle);
          await expectRows(ctx.page, coordinator, s, 'the coordinator view: the coordinator entries only', s.tokens('c1', 'c2'));
          await activateTab(ctx.page, coordinatorTitle);
          await expectRows(ctx.page, coordinator, s, 'the coordinator view once shown', s.tokens('c1', 'c2'));
          await activateTab(ctx.page, workerTitle);
        },
      },
      {
        name: 'Stop ends one stream (its button reads Stopped, later entries stay out) while the other keeps receiving',
        timeoutMs: 60_000,
        async run(ctx) {
          const s = scriptOf(ctx);
          const worker = await logView(ctx.page, workerTitle);
          const sessions = await openTailSessions(ctx.emulatorUrl);
          await clickViewButton(worker, 'stop');
          await expectRows(ctx.page, worker, s, 'the worker stream stopped', s.tokens('w1'), { extra: (v) => (v.status.includes(' · ended · ') ? undefined : 'the status line does not say ended') });
          const stopButton = worker.locator('#stop');
          assert.equal(await stopButton.innerText(), 'Stopped');
          assert.equal(await stopButton.isDisabled(), true, 'Stop is disabled once stopped');
          // Stopping releases the stream's connection, not only the view's updates.
          await expectTailSessions(ctx.page, ctx.emulatorUrl, 'the stopped view to close its tail session', sessions - 1);
          await s.write([{ tag: 'w2', service: WORKER, words: 'worker after stop' }, { tag: 'c3', words: 'coordinator after the worker stopped' }]);
          // Written together: once the coordinator view has its entry, the worker's would have arrived had it still streamed.
          const coordinator = await logView(ctx.page, coordinatorTitle);
          await expectRows(ctx.page, coordinator, s, 'the coordinator view still receiving', s.tokens('c1', 'c2', 'c3'));
          await ctx.page.waitForTimeout(2_000);
          const after = await viewState(worker, s.marker);
          assert.deepEqual(after.tokens, s.tokens('w1'), `the stopped worker view changed: ${describeView(after)}`);
        },
      },
      {
        name: 'Open Logs from a running deploy: its status bar item (and the deploying row’s inline action) opens the service’s logs from the moment the deploy started',
        timeoutMs: 150_000,
        async run(ctx) {
          requireCommands(ctx, OPEN_DEPLOY_LOGS_COMMAND, 'cloudRunDrift.deploy');
          const { page, emulatorUrl } = ctx;
          const s = scriptOf(ctx);
          const deploying = page.locator('.part.statusbar .statusbar-item[id$="cloudRunDrift.deploying"]');
          try {
            // A slow rollout: every Cloud Run read of the service takes 4 s, so the deploy stays in progress long enough to click.
            await emulatorPost(emulatorUrl, 'faults', { rules: [{ api: 'run', service: COORDINATOR, latencyMs: 4_000 }] });
            await s.write([{ tag: 'b1', words: 'before the deploy', at: Date.now() - 1_000 }]);
            const clickedDeployAt = Date.now();
            await openContainer(page, ctx.containerTitle);
            await clickInlineAction(page, COORDINATOR, 'Deploy');
            await deploying.waitFor({ state: 'visible', timeout: 20_000 });
            assert.match((await deploying.innerText()).trim(), new RegExp(`^Deploying ${COORDINATOR}(: verifying)?$`));
            // The deploying row offers the deploy's logs inline in place of Open Logs.
            const row = serviceRow(page, COORDINATOR);
            await until('the deploying row to offer Open Deploy Logs inline', 20_000, async () => {
              await row.hover();
              const titles = await row.locator('.actions .action-label').evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? ''));
              return titles.includes('Open Deploy Logs') && !titles.includes('Open Logs') ? undefined : `inline actions: ${titles.join(', ')}`;
            }, page);
            assert.ok(await deploying.isVisible(), 'the deploy ended before its status bar item could be clicked');
            await deploying.click();
            await expectDeployLogView(page, s, clickedDeployAt, Date.now());
            await emulatorPost(emulatorUrl, 'clear-faults', {});
            await waitForNotification(page, new RegExp(`^${COORDINATOR} serves [0-9a-f]{8} from `), 90_000);
            await deploying.waitFor({ state: 'hidden', timeout: 10_000 });
          } finally {
            await emulatorPost(emulatorUrl, 'clear-faults', {}).catch(() => undefined);
            // Later pages and runs start from the demo's scenario (prediction-coordinator stale, the seeded logs).
            await resetEmulator(emulatorUrl);
          }
        },
      },
      {
        name: 'closing the log views ends their streams: the emulator’s open tail sessions drop by the two views still streaming',
        timeoutMs: 45_000,
        async run(ctx) {
          const { page, emulatorUrl } = ctx;
          // Still streaming: the coordinator view and the deploy's view (the worker view was stopped).
          const sessions = await openTailSessions(emulatorUrl);
          assert.ok(sessions >= 2, `${sessions} tail sessions open, expected at least the two streaming views'`);
          await runFromPalette(page, 'View: Close All Editors');
          await until('every log view to close', 15_000, async () => {
            const tabs = await page.locator('.part.editor .tabs-container .tab').evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? ''));
            const open = tabs.filter((t) => t.startsWith('Logs: '));
            return open.length === 0 ? undefined : `still open: ${open.join(', ')}`;
          }, page);
          await expectTailSessions(page, emulatorUrl, 'the closed views to end their tail sessions', sessions - 2);
        },
      },
      {
        name: 'Open Logs of All Services streams every configured service in one view (one tail session), each entry once, in timestamp order, with its revision',
        timeoutMs: 60_000,
        async run(ctx) {
          const { page, emulatorUrl } = ctx;
          const s = scriptOf(ctx);
          const sessions = await openTailSessions(emulatorUrl);
          await runFromPalette(page, 'Cloud Run Drift: Open Logs of All Services');
          const view = await logView(page, 'Logs: all services');
          await expectNoPrompt(page);
          await expectRows(page, view, s, 'the all-services view live', [], { othersAllowed: true, extra: (v) => (v.status.includes(' · live · ') ? undefined : 'not live yet') });
          await expectTailSessions(page, emulatorUrl, 'one tail session for every service together', sessions + 1);
          const base = Date.now();
          await s.write([
            { tag: 'x1', service: COORDINATOR, words: 'all services', at: base },
            { tag: 'x2', service: WORKER, words: 'all services', at: base + 1 },
            { tag: 'x3', service: COORDINATOR, words: 'all services', at: base + 2 },
          ]);
          await expectRows(page, view, s, 'both services’ entries, interleaved by timestamp', s.tokens('x1', 'x2', 'x3'), { othersAllowed: true });
          const revisions = await view.locator('#rows .row').evaluateAll(
            (rows, marker) => rows.filter((row) => (row.textContent ?? '').includes(`${marker}-x`)).map((row) => row.querySelector('.rev')?.textContent ?? ''),
            s.marker,
          );
          assert.deepEqual(revisions, ['x1', 'x2', 'x3'].map((tag) => s.entry(tag).revision), 'each row names its revision');
        },
      },
      {
        name: 'Open Revision Logs on a serving revision’s row shows that revision’s entries only',
        timeoutMs: 60_000,
        async run(ctx) {
          const { page } = ctx;
          const s = scriptOf(ctx);
          await openContainer(page, ctx.containerTitle);
          const row = serviceRow(page, WORKER);
          if ((await row.getAttribute('aria-expanded')) === 'false') await row.locator('.monaco-tl-twistie').click();
          let revision = '';
          const revisionPattern = new RegExp(`^(${WORKER}-\\d{5}-[a-z0-9]+)`);
          await until(`a serving revision row under ${WORKER}`, 15_000, async () => {
            const labels = await page.locator('.part.sidebar .monaco-list-row[aria-level="2"]').evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? ''));
            revision = labels.map((label) => revisionPattern.exec(label)?.[1]).find((name) => name !== undefined) ?? '';
            return revision ? undefined : `second-level rows: ${labels.slice(0, 6).join(' | ') || 'none'}`;
          }, page);
          const revisionRow = page.locator(`.part.sidebar .monaco-list-row[aria-level="2"][aria-label^="${revision}"]`).first();
          await revisionRow.hover();
          const button = revisionRow.locator('.actions .action-label[aria-label="Open Revision Logs"]');
          await button.waitFor({ state: 'visible', timeout: 10_000 });
          await button.click();
          const view = await logView(page, `Logs: ${WORKER}/${revision}`);
          await expectNoPrompt(page);
          await s.write([
            { tag: 'r1', service: WORKER, revision, words: 'the serving revision' },
            { tag: 'r2', service: WORKER, words: 'another revision of the same service' },
            { tag: 'r3', service: WORKER, revision, words: 'the serving revision again' },
          ]);
          await expectRows(page, view, s, `only ${revision}’s entries`, s.tokens('r1', 'r3'), { othersAllowed: true });
          await runFromPalette(page, 'View: Close All Editors');
        },
      },
    ],
  };
}

/**
 * The fault profile (DEMO_DEPLOY_FAULT=label-unchanged): the deploy script "succeeds" but the service still serves the
 * old commit; the error names it and offers Open Logs, which opens the service's logs since that deploy started.
 */
export function failedDeployLogsPage(): UiPage {
  return {
    name: 'deploy-fault',
    profile: 'fault',
    folder: 'demo',
    checks: [
      verdictsLoad,
      {
        name: 'a deploy that ends label-unchanged says so with Open Logs, which opens the service’s logs since that deploy started',
        timeoutMs: 150_000,
        async run(ctx) {
          requireCommands(ctx, OPEN_DEPLOY_LOGS_COMMAND, 'cloudRunDrift.deploy');
          const { page, emulatorUrl } = ctx;
          const s = new LogScript(emulatorUrl);
          try {
            await s.write([{ tag: 'b1', words: 'before the deploy', at: Date.now() - 1_000 }]);
            const clickedDeployAt = Date.now();
            await openContainer(page, ctx.containerTitle);
            await clickInlineAction(page, COORDINATOR, 'Deploy');
            const failure = new RegExp(`the deploy script exited 0 but ${COORDINATOR} still serves [0-9a-f]+ \\(expected [0-9a-f]+\\).* \\[Open Logs\\]`);
            await waitForNotification(page, failure, 90_000);
            await showNotificationCenter(page);
            const notification = page.locator('.notifications-center .notification-list-item', { hasText: 'the deploy script exited 0 but' }).first();
            await notification.locator('.notification-list-item-buttons-container .monaco-button', { hasText: 'Open Logs' }).click();
            await expectDeployLogView(page, s, clickedDeployAt, Date.now());
            await runFromPalette(page, 'View: Close All Editors');
          } finally {
            await resetEmulator(emulatorUrl);
          }
        },
      },
    ],
  };
}

/**
 * The real editor's figures are printed, not judged: on a shared 2-core machine they vary with
 * whatever else runs (p99 1.1-1.6 s here with a 1 s buffer window). The target (p99 within the
 * window plus 0.5 s) is judged by `npm run bench` (bench/logs.bench.ts, its view phase).
 */
/** Entry-to-row latency at 1,000 entries/s in the real editor's log view. */
export function logLatencyPage(): UiPage {
  return {
    name: 'log-latency',
    profile: 'trusted',
    folder: 'demo',
    checks: [
      verdictsLoad,
      {
        name: 'at 1,000 entries/s every written entry shows in the view (latency printed; the benchmark judges it)',
        timeoutMs: 120_000,
        async run(ctx) {
          const probe = `uilat${Date.now().toString(36)}`;
          await runFromPalette(ctx.page, 'Cloud Run Drift: Open Logs');
          await pickItem(ctx.page, COORDINATOR);
          const view = await logView(ctx.page, `Logs: ${COORDINATOR}`);
          await typeInView(view, 'text', probe);
          await until('the view to be live with the probe filter', 30_000, async () => {
            const status = await view.locator('#status').innerText();
            return status.includes(` · live · 0 reconnects · “${probe}” · `) ? undefined : `status "${status}"`;
          }, ctx.page);
          const loadBefore = os.loadavg()[0]!;
          const figures = await measureViewLatency(ctx.page, view, ctx.emulatorUrl, { service: COORDINATOR, probe, rate: 1000, seconds: 8 });
          const load = Math.max(loadBefore, os.loadavg()[0]!) / os.cpus().length;
          console.log(`e2e: log view latency at 1,000 entries/s: ${describeLatency(figures)} (load average ${load.toFixed(1)} per CPU)`);
          await runFromPalette(ctx.page, 'View: Close All Editors');
          assert.equal(figures.seen, figures.written, `${figures.written - figures.seen} of the entries written never showed (${figures.skipped} skipped)`);
        },
      },
    ],
  };
}
