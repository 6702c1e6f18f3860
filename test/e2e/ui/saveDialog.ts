// Saving through the editor's own save dialog, as a person does it: a webview's export button, then
// the remote (web) workbench's save dialog (a path in a quick input: the path typed, then OK), then
// the file on disk and the notification that says it was written.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { until, waitForNotification } from './checks';

/** Clicks the webview's button `#button`, answers the save dialog with `target`, waits for the file and `notification`; the file's text. */
export async function exportThroughSaveDialog(page: Page, frame: Frame, button: string, target: string, notification: RegExp): Promise<string> {
  fs.rmSync(target, { force: true });
  await frame.locator(`#${button}`).click({ timeout: 10_000 });
  const input = page.locator('.quick-input-widget .quick-input-box input');
  const extension = path.extname(target);
  await until(
    'the save dialog to propose a file',
    15_000,
    async () => {
      const visible = await input.isVisible().catch(() => false);
      const value = visible ? await input.inputValue().catch(() => '') : '';
      return visible && value.endsWith(extension) ? undefined : `save dialog ${visible ? `shows "${value}"` : 'not shown'}`;
    },
    page,
  );
  await input.fill(target);
  // The dialog follows the typed path (it lists that folder); OK accepts it once it has.
  await page.waitForTimeout(500);
  await page.locator('.quick-input-widget .monaco-button', { hasText: /^OK$/ }).click();
  await until('the export file to be written', 15_000, async () => (fs.existsSync(target) && fs.statSync(target).size > 0 ? undefined : `${target} does not exist yet`), page);
  await waitForNotification(page, notification, 15_000);
  return fs.readFileSync(target, 'utf8');
}
