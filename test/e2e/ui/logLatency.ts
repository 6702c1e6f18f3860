// How long a log entry takes from the emulator's Cloud Logging to a row on screen in the real editor's log view:
// entries are written at a steady rate (POST /control/logs, each stamped with the time it is written), and an observer
// inside the view's webview notes when each row is inserted and when the frame after it is drawn.
import type { Frame, Page } from 'playwright-core';

export interface LatencyFigures {
  written: number;
  /** Rows seen in the view (of those written). */
  seen: number;
  /** Entries the view said it skipped (more than it keeps arrived at once). */
  skipped: number;
  /** From the entry's timestamp (when it was written) to the row inserted in the DOM, in ms. */
  inserted: { p50: number; p99: number; max: number };
  /** To the first animation frame after the insertion (the row drawn), in ms; null when no frame ran. */
  drawn: { p50: number; p99: number; max: number } | null;
}

interface Seen {
  inserted: number[];
  drawn: number[];
  skipped: number;
}

/** What the page script uses of the DOM (this project compiles without the DOM library). */
interface RowNode {
  classList?: { contains(name: string): boolean };
  textContent: string | null;
  querySelector(selector: string): { textContent: string | null } | null;
}
interface PageWindow {
  crdLatency?: Seen;
  MutationObserver: new (callback: (mutations: { addedNodes: Iterable<RowNode> }[]) => void) => { observe(target: unknown, options: { childList: boolean }): void };
  requestAnimationFrame(callback: () => void): void;
  setTimeout(callback: () => void, ms: number): void;
}

function percentiles(values: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? Number.NaN };
}

/** Starts noting the rows whose text contains `probe` as they are added to the view's #rows. */
async function observeRows(frame: Frame, probe: string): Promise<void> {
  // No named functions inside: the test runner's transform would wrap them in a helper the page does not have.
  await frame.locator('#rows').evaluate((rows, needle) => {
    const win = rows.ownerDocument.defaultView as unknown as PageWindow;
    const record: Seen = { inserted: [], drawn: [], skipped: 0 };
    win.crdLatency = record;
    new win.MutationObserver((mutations) => {
      const now = Date.now();
      const stamps: number[] = [];
      for (const mutation of mutations) {
        for (const node of mutation.addedNodes) {
          if (node.classList?.contains('skipped')) record.skipped += Number(/\d+/.exec(node.textContent ?? '')?.[0] ?? 0);
          if (node.classList?.contains('row') && (node.textContent ?? '').includes(needle)) stamps.push(Date.parse(node.querySelector('.ts')?.textContent ?? ''));
        }
      }
      if (stamps.length === 0) return;
      for (const stamp of stamps) record.inserted.push(now - stamp);
      // The frame that draws them: its callback runs before the paint, a task queued from it runs after.
      win.requestAnimationFrame(() => {
        win.setTimeout(() => {
          const drawnAt = Date.now();
          for (const stamp of stamps) record.drawn.push(drawnAt - stamp);
        }, 0);
      });
    }).observe(rows, { childList: true });
  }, probe);
}

/**
 * Writes `rate` entries/s for `seconds` s for `service`, each text carrying `probe` and a running number, and returns
 * the figures once every row has shown (or `settleMs` after the last write).
 */
export async function measureViewLatency(
  page: Page,
  frame: Frame,
  emulatorUrl: string,
  options: { service: string; probe: string; rate: number; seconds: number; settleMs?: number },
): Promise<LatencyFigures> {
  await observeRows(frame, options.probe);
  const total = Math.round(options.rate * options.seconds);
  const started = Date.now();
  let written = 0;
  while (written < total) {
    const due = Math.min(total, Math.floor(((Date.now() - started) * options.rate) / 1000));
    if (due > written) {
      const at = new Date().toISOString();
      const entries = [];
      for (let n = written; n < due; n++) {
        entries.push({ service: options.service, severity: 'INFO', textPayload: `${options.probe}-q${n} latency probe`, timestamp: at, insertId: `${options.probe}-q${n}` });
      }
      const response = await fetch(`${emulatorUrl}/control/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ entries }), signal: AbortSignal.timeout(10_000) });
      if (!response.ok) throw new Error(`emulator /control/logs: HTTP ${response.status} ${await response.text()}`);
      written = due;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const deadline = Date.now() + (options.settleMs ?? 15_000);
  const read = (): Promise<Seen> =>
    frame.locator('#rows').evaluate((rows) => {
      const win = rows.ownerDocument.defaultView as unknown as PageWindow;
      return { inserted: [...(win.crdLatency?.inserted ?? [])], drawn: [...(win.crdLatency?.drawn ?? [])], skipped: win.crdLatency?.skipped ?? 0 };
    });
  let record = await read();
  for (;;) {
    if (record.inserted.length + record.skipped >= total || Date.now() > deadline) break;
    await page.waitForTimeout(250);
    record = await read();
  }
  // The last rows' frame.
  await page.waitForTimeout(200);
  record = await read();
  return {
    written: total,
    seen: record.inserted.length,
    skipped: record.skipped,
    inserted: percentiles(record.inserted),
    drawn: record.drawn.length > 0 ? percentiles(record.drawn) : null,
  };
}

export function describeLatency(figures: LatencyFigures): string {
  const f = (p: { p50: number; p99: number; max: number }): string => `p50 ${Math.round(p.p50)} ms, p99 ${Math.round(p.p99)} ms, max ${Math.round(p.max)} ms`;
  return `${figures.seen}/${figures.written} rows${figures.skipped > 0 ? ` (${figures.skipped} skipped)` : ''}; inserted ${f(figures.inserted)}; drawn ${figures.drawn ? f(figures.drawn) : 'no frame ran'}`;
}
