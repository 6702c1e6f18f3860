// The integrated terminal as a check reads it: the whole buffer of a terminal named on screen, through
// the workbench's own Terminal: Select All and Terminal: Copy Selection and the page's clipboard (the
// rows on screen are only the viewport, and the renderer may draw them on a canvas). No keystroke
// reaches the terminal's process: the commands go through the Command Palette.
import type { Page } from 'playwright-core';
import { runFromPalette, until } from './checks';

/** The tab of the terminal named `name` in the panel's terminal tabs (or the panel's single terminal title). */
function terminalTab(page: Page, name: string) {
  return page.locator('.part.panel .terminal-tabs-entry, .part.panel .single-terminal-tab').filter({ hasText: name }).first();
}

/** Makes the terminal named `name` the active one (clicks its tab when the panel lists several). */
export async function focusTerminal(page: Page, name: string): Promise<void> {
  const tab = terminalTab(page, name);
  await tab.waitFor({ state: 'visible', timeout: 30_000 });
  await tab.click();
}

/**
 * Terminal: Select All, then Terminal: Copy Selection. The palette offers Copy Selection only while
 * the terminal has a selection, and a line the process writes in between can clear it: then select
 * again (a few times, while the process keeps writing).
 */
async function copyWholeBuffer(page: Page): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await runFromPalette(page, 'Terminal: Select All');
    try {
      await runFromPalette(page, 'Terminal: Copy Selection', 3_000);
      return;
    } catch (err) {
      await page.keyboard.press('Escape');
      if (attempt === 4) throw err;
    }
  }
}

/** The text of the terminal named `name`: every line of its buffer, trailing blanks trimmed. */
export async function terminalText(page: Page, name: string): Promise<string> {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(page.url()).origin });
  await focusTerminal(page, name);
  // Emptied first, so a copy that did not happen cannot pass for an old one.
  await page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { writeText(text: string): Promise<void> } } }).navigator.clipboard.writeText(''));
  await copyWholeBuffer(page);
  let text = '';
  await until(`the text of the terminal "${name}" on the clipboard`, 5_000, async () => {
    text = await page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText());
    return text.length > 0 ? undefined : 'the clipboard is empty';
  }, page);
  await runFromPalette(page, 'Terminal: Clear Selection');
  return text
    .split(/\r?\n/)
    .map((line) => line.trimEnd())
    .join('\n')
    .trimEnd();
}

/** Waits until the terminal's text matches `pattern`; returns the text. */
export async function waitForTerminalText(page: Page, name: string, pattern: RegExp, timeoutMs: number): Promise<string> {
  let text = '';
  await until(`the terminal "${name}" to show ${pattern}`, timeoutMs, async () => {
    try {
      text = await terminalText(page, name);
    } catch (err) {
      // A copy that left the clipboard empty (the selection cleared by output arriving between Select
      // All and Copy) is one more try, not the answer.
      return `its text could not be read: ${(err as Error).message}`;
    }
    return pattern.test(text) ? undefined : `it shows:\n${text.split('\n').slice(-12).join('\n')}`;
  }, page);
  return text;
}
