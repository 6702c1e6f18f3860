// A unit more undeployed commits behind than its row lists (trusted demo workspace): commits made
// with real git in the demo repository put prediction-coordinator two past the hundred its row lists;
// expanded, the row lists the newest hundred commits, then a row counting the two older ones; opening that
// row picks from all of them (the oldest, which the tree does not list, among them). The commits are
// taken back at the end, so the pages after this one see the demo as it was built.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openContainer, runFromPalette, serviceRow, serviceRowText, until, verdictsLoad, type UiPage } from './checks';

const SERVICE = 'prediction-coordinator';
/** How many undeployed commits a unit's row lists (LISTED_COMMITS in src/core/verdicts/format.ts). */
const LISTED = 100;
const OLDER = 2;

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
}

export function manyCommitsPage(): UiPage {
  return {
    name: 'many-commits',
    profile: 'trusted',
    folder: 'demo',
    checks: [
      verdictsLoad,
      {
        name: `a unit ${LISTED + OLDER} commits behind lists its newest ${LISTED}, then a row counting the ${OLDER} older ones, which picks from all of them`,
        timeoutMs: 120_000,
        async run({ page, folder, demo, containerTitle, servicesViewName }) {
          const unit = demo.services.find((s) => s.name === SERVICE);
          assert.ok(unit && unit.commitsBehind < LISTED, `the demo has ${SERVICE} fewer than ${LISTED} commits behind`);
          const head = git(folder, 'rev-parse', 'HEAD');
          const oldest = git(folder, 'log', '--reverse', '--format=%s', `${unit.deployedCommit}..HEAD`, '--', ...unit.paths).split('\n')[0]!;
          const note = path.join(unit.paths[0]!, 'e2e-many-commits.txt');
          try {
            const added = LISTED + OLDER - unit.commitsBehind;
            for (let i = 0; i < added; i++) {
              fs.appendFileSync(path.join(folder, note), `${i}\n`);
              git(folder, 'add', '--', note);
              git(folder, '-c', 'user.name=E2E', '-c', 'user.email=e2e@example.com', 'commit', '-q', '--no-verify', '-m', `coordinator: e2e note ${i}`);
            }
            await openContainer(page, containerTitle);
            // HEAD moved: the extension refreshes by itself.
            await until(`${SERVICE}'s row to say ${LISTED + OLDER} behind`, 60_000, async () => {
              const text = await serviceRowText(page, SERVICE);
              return text?.description.startsWith(`${LISTED + OLDER} behind`) ? undefined : `the row says "${text?.description ?? '(no row)'}"`;
            }, page);
            const row = serviceRow(page, SERVICE);
            if ((await row.getAttribute('aria-expanded')) !== 'true') await row.locator('.monaco-tl-twistie').click();
            const newest = page.locator('.part.sidebar .monaco-list-row[aria-level="2"]', { hasText: `coordinator: e2e note ${added - 1}` }).first();
            await newest.waitFor({ state: 'visible', timeout: 15_000 });
            // The tree draws only the rows in view: from the newest commit, the row LISTED rows down is
            // the one after the last commit listed, which counts the older ones.
            // A click on a commit opens its patch, and the editor takes the focus: the view takes it back, on that row.
            await newest.click();
            await page.locator('.part.editor .monaco-editor[data-uri^="cloud-run-drift-commit:"]').first().waitFor({ state: 'visible', timeout: 15_000 });
            await runFromPalette(page, `${containerTitle}: Focus on ${servicesViewName} View`);
            const focused = page.locator('.part.sidebar .monaco-list-row.focused').first();
            const focusedLabel = async (): Promise<string> => (await focused.getAttribute('aria-label').catch(() => null)) ?? '';
            await until('the newest commit to have the focus', 10_000, async () => ((await focusedLabel()).includes(`e2e note ${added - 1}`) ? undefined : `the focus is on "${await focusedLabel()}"`), page);
            // A key at a time, each awaited until the focus has moved, so that none is lost.
            for (let i = 0; i < LISTED; i++) {
              const before = await focusedLabel();
              await page.keyboard.press('ArrowDown');
              await until(`the focus to move down from "${before}"`, 5_000, async () => ((await focusedLabel()) !== before ? undefined : 'it has not moved'), page);
            }
            const label = await focusedLabel();
            assert.ok(label.startsWith(`${OLDER} older commits`), `the row ${LISTED} below the newest commit is "${label}"`);
            assert.equal(await page.locator('.part.sidebar .monaco-list-row[aria-level="2"]', { hasText: oldest }).count(), 0, `the tree lists "${oldest}", which is older than the newest ${LISTED}`);
            await focused.click();
            const input = page.locator('.quick-input-widget');
            const filter = input.locator('.quick-input-box input[placeholder="Show which undeployed commit?"]');
            await filter.waitFor({ state: 'visible', timeout: 15_000 });
            await filter.fill(oldest);
            await input.locator('.monaco-list-row', { hasText: oldest }).first().waitFor({ state: 'visible', timeout: 15_000 });
            await page.keyboard.press('Escape');
          } finally {
            git(folder, 'reset', '-q', '--hard', head);
          }
        },
      },
    ],
  };
}
