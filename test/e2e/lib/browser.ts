// Debian's headless Chromium through playwright-core. Every request that is not for the local
// VS Code server is aborted at the browser, so the workbench never reaches for the network.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export async function launchBrowser(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    timeout: 60_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

export interface WorkbenchPage {
  page: Page;
  /** Console lines of the page so far (the workbench forwards extension host logs here). */
  console(): string[];
  /** Forgets the lines so far (the page is about to be loaded again). The log file keeps them. */
  resetConsole(): void;
  close(): Promise<void>;
}

/** Console lines that say nothing about the extension (this server build, no network, no GitHub). */
export const NOISE = /service ?worker|vsda|status of 404|ERR_NAME_NOT_RESOLVED|ERR_FAILED|ERR_BLOCKED_BY_CLIENT|github|No signed-in session|AccountPolicyGate|ChatModelSelection|AgentHost|Long running operations during shutdown/i;

/**
 * One browser context per editor server: its pages share the HTTP and compiled-code caches (the
 * workbench is ~20 MB of JavaScript), and each server has its own origin, so no state crosses profiles.
 */
export async function newEditorContext(browser: Browser, serverUrl: string): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 860 }, deviceScaleFactor: 1, colorScheme: 'light', reducedMotion: 'reduce' });
  const allowed = new URL(serverUrl).host;
  await context.route(
    (url) => url.protocol.startsWith('http') && url.host !== allowed,
    (route) => route.abort('blockedbyclient'),
  );
  return context;
}

export async function openWorkbenchPage(context: BrowserContext, options: { consoleLog: string; verbose: boolean }): Promise<WorkbenchPage> {
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const lines: string[] = [];
  fs.mkdirSync(path.dirname(options.consoleLog), { recursive: true });
  const log = fs.createWriteStream(options.consoleLog);
  const record = (line: string): void => {
    lines.push(line);
    if (lines.length > 5000) lines.shift();
    log.write(`${line}\n`);
    if (options.verbose && !NOISE.test(line)) process.stdout.write(`[page] ${line.slice(0, 400)}\n`);
  };
  page.on('console', (message) => record(`${message.type()}: ${message.text().replace(/%c\s*(\w+)\s*color: #\w+\s*/, '$1 ')}`));
  page.on('pageerror', (err) => record(`pageerror: ${err.message}`));
  return {
    page,
    console: () => lines,
    resetConsole: () => void lines.splice(0),
    async close() {
      await page.close({ runBeforeUnload: false }).catch(() => undefined);
      log.end();
    },
  };
}
