// UI checks: what a person sees in the workbench (Chromium via playwright-core). A UI page is one
// browser page opened on one folder in one profile; its checks run in order, later ones building on
// earlier ones (after a failure the rest of the page is skipped). A failing check leaves
// test-results/ui-<page>-<n>-<check>.png; the page marked `overview` is photographed every run.
import * as assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { DEMO_ROLLBACK_SERVICE, type DemoWorkspace } from '../../../src/emulator/demo/workspace';
import { DEPLOY_COMMAND, demoUnitCounts, expectedDemoRows, fetchEmulatorService, unitsSummary, type UnitCounts, servingCommitLabel, sha8, type EmulatorRunService, type ExpectedRow } from '../expectations';
import type { FolderKind } from '../shared';

/** The profiles of lib/profiles.ts (PROFILES). */
export type ProfileName = 'trusted' | 'restricted' | 'fault';

export interface UiContext {
  page: Page;
  /** The folder this page opened. */
  folder: string;
  demo: DemoWorkspace;
  /** The emulator the demo workspace points at (GET /control/state, POST /control/reset). */
  emulatorUrl: string;
  /** Titles from package.json contributes, so renaming one does not break the checks. */
  containerTitle: string;
  servicesViewName: string;
  /** Command ids package.json contributes. */
  commands: string[];
  /** The Getting Started walkthrough package.json contributes. */
  walkthrough: WalkthroughFacts;
  /** The page's console so far (the workbench logs failed commands there). */
  consoleLines(): string[];
}

export interface WalkthroughFacts {
  /** `<publisher>.<name>#<id>`, as `workbench.action.openWalkthrough` takes it. */
  fullId: string;
  title: string;
  /** In order; `button` is the label of the step's button (a link alone on its line). */
  steps: { id: string; title: string; button: string; image: string; altText: string }[];
}

/** Thrown by a check that cannot apply yet (e.g. a command not contributed): recorded as skipped, with this reason. */
export class UiSkip extends Error {
  override name = 'UiSkip';
}

export interface UiCheck {
  name: string;
  timeoutMs: number;
  /** Runs after the page's overview screenshot (it changes what the page shows, e.g. a deploy). */
  afterOverview?: boolean;
  run(ctx: UiContext): Promise<void>;
}

export interface UiPage {
  name: string;
  /** A profile name from PROFILES in lib/profiles.ts. */
  profile: ProfileName;
  folder: FolderKind;
  /** Photograph the page after its checks as test-results/overview.png (the README screenshot). */
  overview?: boolean;
  /** Best effort, not a check: arranges the page before the overview screenshot. */
  beforeOverview?(ctx: UiContext): Promise<void>;
  checks: UiCheck[];
}

/** The activity bar entry of our view container (VS Code labels it with the container's title). */
export function activityBarItem(page: Page, title: string): Locator {
  return page.locator(`.part.activitybar .action-item [aria-label^="${title}"]`).first();
}

/** The rows of the tree(s) in the side bar. */
export function sideBarRows(page: Page): Locator {
  return page.locator('.part.sidebar .monaco-list-row');
}

/** Opens our view container in the side bar unless it is already showing. */
export async function openContainer(page: Page, title: string): Promise<void> {
  const item = activityBarItem(page, title);
  await item.waitFor({ state: 'visible', timeout: 25_000 });
  const checked = await item.evaluate((el) => el.closest('.action-item')?.classList.contains('checked') ?? false);
  // Clicking the entry of the container already shown would close the side bar. The entry's item, not its label:
  // a badge drawn over the label would take the click (playwright refuses a click another element intercepts).
  if (!checked) await item.locator('xpath=ancestor::li[contains(@class, "action-item")][1]').click();
}

/** Waits for the workbench and for the window title to name the opened folder. */
export async function workbenchOpens({ page, folder }: UiContext): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  const folderName = folder.split('/').pop() ?? '';
  const deadline = Date.now() + 30_000;
  while (!(await page.title()).includes(folderName)) {
    assert.ok(Date.now() < deadline, `the window title never named ${folderName}: "${await page.title()}"`);
    await page.waitForTimeout(250);
  }
}

/** A service's row in the Services tree; its accessible name is `<service>: <verdict>`. */
export function serviceRow(page: Page, service: string): Locator {
  return page.locator(`.part.sidebar .monaco-list-row[aria-level="1"][aria-label^="${service}: "]`).first();
}

/** The status bar item the extension contributes (id ends with its item id). */
export function statusBarSummary(page: Page): Locator {
  return page.locator('.part.statusbar .statusbar-item[id$="cloudRunDrift.summary"]').first();
}

/**
 * The badge on our activity bar entry (VS Code hides it with display:none when there is none). The entry is found by
 * its label: the entry's own aria-label is not dependable, since VS Code's base action item empties it whenever the
 * action changes (updateAriaLabel sets the tooltip, which composite entries leave unset), so it is set or empty
 * depending on whether the badge or the last action change came last.
 */
export function activityBarBadge(page: Page, title: string): Locator {
  return page.locator(`.part.activitybar li.action-item:has(> .action-label[aria-label^="${title}"]) .badge`).first();
}

/** Each activity bar entry as the DOM has it (label, classes, badges and whether they show), for failure messages. */
async function describeActivityBar(page: Page): Promise<string> {
  return page.locator('.part.activitybar').first().evaluate((bar) =>
    [...bar.querySelectorAll('li.action-item')]
      .map((li) => {
        const badges = [...li.querySelectorAll('.badge')].map((b) => {
          const style = b.ownerDocument.defaultView?.getComputedStyle(b);
          const box = b.getBoundingClientRect();
          return `badge[class="${b.className}" display=${style?.display} visibility=${style?.visibility} box=${Math.round(box.width)}x${Math.round(box.height)} text="${(b.textContent ?? '').trim()}"]`;
        });
        return `li[aria-label="${li.getAttribute('aria-label') ?? ''}" class="${li.className}" ${badges.join(' ')}]`;
      })
      .join(' | '),
  );
}

interface RowView {
  /** The row's accessible name, e.g. `prediction-coordinator: stale`. */
  ariaLabel: string;
  description: string;
  /** The codicon ids of the row's icon (`warning`, `pass`, `loading`…). */
  icons: string[];
}

async function readRow(page: Page, service: string): Promise<RowView | undefined> {
  const row = serviceRow(page, service);
  if ((await row.count()) === 0) return undefined;
  return row.evaluate((el) => ({
    ariaLabel: el.getAttribute('aria-label') ?? '',
    description: el.querySelector('.label-description')?.textContent ?? '',
    icons: [...(el.querySelector('.custom-view-tree-node-item-icon')?.classList ?? [])].filter((c) => c.startsWith('codicon-')).map((c) => c.slice('codicon-'.length)),
  }));
}

/** Polls until `problem()` returns undefined; fails with the last problem it reported. */
export async function until(what: string, timeoutMs: number, problem: () => Promise<string | undefined>, page?: Page): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string | undefined = 'never checked';
  while (Date.now() < deadline) {
    last = await problem();
    if (last === undefined) return;
    await (page ? page.waitForTimeout(250) : new Promise((r) => setTimeout(r, 250)));
  }
  throw new Error(`${what}: still not so after ${timeoutMs} ms: ${last}`);
}

/** What differs between a row on screen and the expected verdict, or undefined when it matches. */
async function rowProblem(page: Page, expected: ExpectedRow): Promise<string | undefined> {
  const row = await readRow(page, expected.name);
  if (!row) return `no row for ${expected.name}`;
  const problems: string[] = [];
  if (row.ariaLabel !== `${expected.name}: ${expected.statusLabel}`) problems.push(`accessible name "${row.ariaLabel}", expected "${expected.name}: ${expected.statusLabel}"`);
  if (!row.icons.includes(expected.icon)) problems.push(`icon codicon-${row.icons.join('/codicon-')}, expected codicon-${expected.icon}`);
  if (!expected.descriptions.includes(row.description)) problems.push(`description "${row.description}", expected "${expected.descriptions.join('" or "')}"`);
  return problems.length > 0 ? `${expected.name}: ${problems.join('; ')}` : undefined;
}

/**
 * Opens the notification center. The workbench shows no toasts when the server runs with
 * --enable-smoke-test-driver (NotificationsToasts.addToast checks it; VS Code's own smoke tests
 * read the center too), so the center is where a check reads what the user is told.
 */
export async function showNotificationCenter(page: Page): Promise<void> {
  const center = page.locator('.notifications-center.visible');
  const deadline = Date.now() + 10_000;
  // The center closes itself when its last notification goes (NotificationsCenter hides on an empty
  // model), e.g. a progress notification that ends just after the click; so one click can be undone.
  while (!(await center.isVisible())) {
    if (Date.now() > deadline) throw new Error('the notification center did not stay open after clicking the status bar bell for 10 s');
    await page.locator('.part.statusbar [id="status.notifications"]').click();
    await center.waitFor({ state: 'visible', timeout: 1_000 }).catch(() => undefined);
  }
}

async function hideNotificationCenter(page: Page): Promise<void> {
  if (!(await page.locator('.notifications-center.visible').isVisible())) return;
  await page.locator('.part.statusbar [id="status.notifications"]').click();
}

/** The texts of the notifications on screen (toasts and, when open, the notification center), buttons in brackets. */
async function notificationTexts(page: Page): Promise<string[]> {
  return page.locator('.notifications-toasts .notification-list-item, .notifications-center .notification-list-item').evaluateAll((els) =>
    els.map((el) => {
      const message = el.querySelector('.notification-list-item-message')?.textContent ?? '';
      const buttons = [...el.querySelectorAll('.notification-list-item-buttons-container .monaco-button')].map((b) => b.textContent ?? '');
      return buttons.length > 0 ? `${message} [${buttons.join('] [')}]` : message;
    }),
  );
}

/** A condition that turns a check into a skip: a notification or console line matching `pattern`. */
export interface SkipWhen {
  pattern: RegExp;
  reason: string;
  consoleLines(): string[];
}

/**
 * Waits for a notification whose text matches (the center is opened to read it, then closed);
 * returns the match. A notification or console line matching `skipIf` ends the check as skipped.
 */
export async function waitForNotification(page: Page, pattern: RegExp, timeoutMs: number, skipIf?: SkipWhen): Promise<RegExpExecArray> {
  let seen: string[] = [];
  let match: RegExpExecArray | null = null;
  await showNotificationCenter(page);
  await until(
    `a notification matching ${pattern}`,
    timeoutMs,
    async () => {
      // Reopened when something closed it (a terminal revealed by the deploy task does).
      await showNotificationCenter(page).catch(() => undefined);
      seen = await notificationTexts(page);
      const logged = skipIf?.consoleLines().find((line) => skipIf.pattern.test(line));
      if (skipIf && logged) throw new UiSkip(`${skipIf.reason} (the editor logged: "${logged.slice(0, 200)}")`);
      for (const text of seen) {
        if (skipIf?.pattern.test(text)) throw new UiSkip(`${skipIf.reason} (the editor said: "${text}")`);
        match = pattern.exec(text);
        if (match) return undefined;
      }
      return `notifications on screen: ${seen.length > 0 ? seen.map((t) => `"${t}"`).join(', ') : 'none'}`;
    },
    page,
  );
  await hideNotificationCenter(page);
  return match!;
}

/** The demo's verdict for each service, read off the screen: row text, accessible name and codicon. */
async function everyRowShowsItsVerdict({ page, demo, containerTitle }: UiContext): Promise<void> {
  await openContainer(page, containerTitle);
  const expected = expectedDemoRows(demo.services, Date.now());
  // The demo is built so: one stale service with a long backlog, the rest up to date.
  assert.deepEqual(
    expected.filter((r) => r.status === 'stale').map((r) => `${r.name} ${r.commitsBehind}`),
    ['prediction-coordinator 53'],
    'the demo workspace no longer has prediction-coordinator 53 commits behind as its only stale service',
  );
  await until('every service row shows its verdict, icon and description', 60_000, async () => {
    const problems: string[] = [];
    for (const row of expected) {
      const problem = await rowProblem(page, row);
      if (problem) problems.push(problem);
    }
    return problems.length > 0 ? problems.join(' | ') : undefined;
  }, page);
}

/** Counts per verdict as the rows on screen show them (a function's or job's accessible name adds its kind after a comma). */
async function countsOnScreen(page: Page, units: readonly string[]): Promise<UnitCounts & { other: number }> {
  const counts = { deployFailed: 0, stale: 0, ok: 0, other: 0 };
  for (const name of units) {
    const row = await readRow(page, name);
    const status = row?.ariaLabel.slice(name.length + 2).split(',')[0];
    if (status === 'stale') counts.stale++;
    else if (status === 'up to date') counts.ok++;
    else if (status === 'deploy failed') counts.deployFailed++;
    else counts.other++;
  }
  return counts;
}

/** Every unit of the demo: its services, functions and jobs. */
function demoUnitNames(demo: DemoWorkspace): string[] {
  return [...demo.services, ...demo.functions, ...demo.jobs].map((u) => u.name);
}

/** The status bar summary and the activity bar badge say what the tree's rows (services, functions, jobs) say. */
async function summaryAndBadgeMatchTree({ page, demo, containerTitle }: UiContext, expected: UnitCounts): Promise<void> {
  const names = demoUnitNames(demo);
  const expectedText = unitsSummary(expected);
  const expectedBadge = expected.deployFailed + expected.stale;
  await until('the status bar summary and the badge match the tree', 30_000, async () => {
    const counts = await countsOnScreen(page, names);
    if (counts.other > 0) return `rows not yet deploy failed, stale or up to date: ${JSON.stringify(counts)}`;
    const fromTree = unitsSummary(counts);
    if (fromTree !== expectedText) return `the rows count "${fromTree}", expected "${expectedText}"`;
    const item = statusBarSummary(page);
    if (!(await item.isVisible())) return 'no Cloud Run Drift item in the status bar';
    const text = (await item.locator('.statusbar-item-label').innerText()).trim();
    if (text !== fromTree) return `status bar says "${text}", the tree "${fromTree}"`;
    const icon = await item.locator('.statusbar-item-label .codicon').first().getAttribute('class');
    if (!icon?.includes('codicon-cloud')) return `status bar icon "${icon}", expected codicon-cloud`;
    const badge = activityBarBadge(page, containerTitle);
    const notUpToDate = counts.stale + counts.deployFailed;
    if (notUpToDate !== expectedBadge) return `${notUpToDate} rows are not up to date, expected ${expectedBadge}`;
    if (notUpToDate === 0) return (await badge.isVisible()) ? `a badge "${await badge.innerText()}" though every service is up to date` : undefined;
    if (!(await badge.isVisible())) return `no badge on the ${containerTitle} activity bar entry; the activity bar's entries: ${await describeActivityBar(page)}`;
    const value = (await badge.locator('.badge-content').innerText()).trim();
    if (value !== String(notUpToDate)) return `badge "${value}", the tree has ${notUpToDate} services not up to date`;
    const label = await activityBarItem(page, containerTitle).getAttribute('aria-label');
    const sentence = `${notUpToDate} ${notUpToDate === 1 ? 'service is' : 'services are'} not up to date`;
    if (!label?.includes(sentence)) return `activity bar entry labelled "${label}", expected it to say "${sentence}"`;
    return undefined;
  }, page);
}

/** The demo's Cloud Run functions and job on screen: each row's accessible name says its verdict and its kind, its icon its kind. */
async function functionAndJobRowsShow({ page, demo, containerTitle }: UiContext): Promise<void> {
  await openContainer(page, containerTitle);
  const expected = [
    ...demo.functions.map((f) => ({ name: f.name, label: `${f.name}: ${f.failedBuild ? 'deploy failed' : 'up to date'}, Cloud Run function`, icon: 'symbol-function', text: f.failedBuild ? 'deploy failed · ' : '' })),
    ...demo.jobs.map((j) => ({ name: j.name, label: `${j.name}: ${j.commitsBehind > 0 ? 'stale' : 'up to date'}, Cloud Run job`, icon: 'server-process', text: j.executions.length > 0 ? 'last run ' : 'never run' })),
  ];
  assert.equal(expected.length, 4, 'the demo has two functions and two jobs');
  await until('the function and job rows show their verdicts and kinds', 60_000, async () => {
    const problems: string[] = [];
    for (const row of expected) {
      await serviceRow(page, row.name).scrollIntoViewIfNeeded({ timeout: 2_000 }).catch(() => undefined);
      const seen = await readRow(page, row.name);
      if (!seen) problems.push(`no row for ${row.name}`);
      else if (seen.ariaLabel !== row.label || !seen.icons.includes(row.icon) || !seen.description.includes(row.text)) {
        problems.push(`${row.name}: "${seen.ariaLabel}", codicon-${seen.icons.join('/')}, "${seen.description}"; expected "${row.label}", codicon-${row.icon}, a description with "${row.text}"`);
      }
    }
    return problems.length > 0 ? problems.join(' | ') : undefined;
  }, page);
}

const COORDINATOR = 'prediction-coordinator';
/** The demo service the rollback checks route back to its previous revision (serving code touched only by its own paths), as the demo's walkthrough does. */
export const ROLLBACK_SERVICE = DEMO_ROLLBACK_SERVICE;

function skipUnlessDeployContributed(commands: readonly string[]): void {
  if (!commands.includes(DEPLOY_COMMAND)) throw new UiSkip(`${DEPLOY_COMMAND} is not contributed in package.json yet`);
}

/** VS Code's answer (console, no notification) to clicking a contributed command that no extension registered. */
function deployNotRegistered(ctx: UiContext): SkipWhen {
  return {
    pattern: new RegExp(`command '${DEPLOY_COMMAND.replace('.', '\\.')}' not found`, 'i'),
    reason: `${DEPLOY_COMMAND} is contributed but the extension does not register it yet`,
    consoleLines: ctx.consoleLines,
  };
}

export async function resetEmulator(emulatorUrl: string): Promise<void> {
  const response = await fetch(`${emulatorUrl}/control/reset`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`emulator reset: HTTP ${response.status}`);
}

/** Hovers the service's row and clicks its inline action titled `title` (what a person does). */
export async function clickInlineAction(page: Page, service: string, title: string): Promise<void> {
  const row = serviceRow(page, service);
  await row.hover();
  const button = row.locator(`.actions .action-label[aria-label="${title}"]`);
  await button.waitFor({ state: 'visible', timeout: 10_000 });
  await button.click();
}

/** Expands a collapsed tree row by its twistie (what a person clicks); a row already expanded stays so. */
async function expandRow(row: Locator): Promise<void> {
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  if ((await row.getAttribute('aria-expanded')) !== 'true') await row.locator('.monaco-tl-twistie').click();
  await row.page().waitForFunction((el) => el.getAttribute('aria-expanded') === 'true', await row.elementHandle(), { timeout: 10_000 });
}

/**
 * The row of `revision` in the service's Deployments history, expanding the service and its
 * Deployments row first. The service is expected to be the only one expanded (revision names are
 * unique anyway). A history row's accessible name is its label and description (`<sha> <subject> <revision> · …`).
 */
export async function deploymentHistoryRow(page: Page, service: string, revision: string): Promise<Locator> {
  await expandRow(serviceRow(page, service));
  await expandRow(page.locator(`.part.sidebar .monaco-list-row[aria-level="2"][aria-label^="The last revisions of ${service}:"]`).first());
  const row = page.locator('.part.sidebar .monaco-list-row[aria-level="3"]', { hasText: revision }).first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  return row;
}

/** The accessible name and description of a service's row, read off the screen. */
export async function serviceRowText(page: Page, service: string): Promise<{ ariaLabel: string; description: string } | undefined> {
  const row = await readRow(page, service);
  return row ? { ariaLabel: row.ariaLabel, description: row.description } : undefined;
}

/** Hovers the service's row and clicks its inline Deploy action. */
async function clickInlineDeploy(page: Page, service: string): Promise<void> {
  await clickInlineAction(page, service, 'Deploy');
}

function revisionNames(service: EmulatorRunService): string[] {
  return service.revisions.map((r) => r.name);
}

export const UI_PAGES: UiPage[] = [
  {
    name: 'demo',
    profile: 'trusted',
    folder: 'demo',
    overview: true,
    checks: [
      { name: 'the workbench opens the demo workspace', timeoutMs: 90_000, run: workbenchOpens },
      {
        name: 'the activity bar shows the Cloud Run Drift view container',
        timeoutMs: 30_000,
        async run({ page, containerTitle }) {
          await activityBarItem(page, containerTitle).waitFor({ state: 'visible', timeout: 25_000 });
        },
      },
      {
        name: 'the Services view lists every configured service',
        timeoutMs: 60_000,
        async run({ page, demo, containerTitle, servicesViewName }) {
          await openContainer(page, containerTitle);
          await page.locator('.part.sidebar').getByText(servicesViewName, { exact: false }).first().waitFor({ state: 'visible', timeout: 15_000 });
          for (const service of demo.services) {
            await sideBarRows(page).filter({ hasText: service.name }).first().waitFor({ state: 'visible', timeout: 30_000 });
          }
          const rows = await sideBarRows(page).allInnerTexts();
          assert.ok(rows.length >= demo.services.length, `expected at least ${demo.services.length} rows, saw: ${rows.join(' | ')}`);
        },
      },
      {
        name: 'every service row settles on a verdict (none left checking)',
        timeoutMs: 60_000,
        async run({ page, demo }) {
          const deadline = Date.now() + 50_000;
          for (;;) {
            const rows = await sideBarRows(page).allInnerTexts();
            const pending = demo.services.filter((s) => !rows.some((r) => r.includes(s.name)) || rows.some((r) => r.includes(s.name) && /checking/i.test(r)));
            if (pending.length === 0) return;
            assert.ok(Date.now() < deadline, `still checking: ${pending.map((s) => s.name).join(', ')}; rows: ${rows.join(' | ')}`);
            await page.waitForTimeout(250);
          }
        },
      },
      {
        name: 'each row shows its verdict: prediction-coordinator "53 behind for N days · <sha> · Nd ago" with the warning icon, the others their commit with the pass icon',
        timeoutMs: 75_000,
        run: everyRowShowsItsVerdict,
      },
      {
        name: 'the Cloud Run functions and the job show as rows of their kind, with their verdicts',
        timeoutMs: 75_000,
        run: functionAndJobRowsShow,
      },
      {
        name: 'the status bar reads "1 deploy failed · 3 stale · 5 ok" and the activity bar badge 4, as the rows (services, functions, jobs) do',
        timeoutMs: 45_000,
        run: (ctx) => summaryAndBadgeMatchTree(ctx, demoUnitCounts(ctx.demo)),
      },
      {
        name: "Deploy on prediction-coordinator's row runs the script in a terminal and ends verified at HEAD",
        timeoutMs: 120_000,
        afterOverview: true,
        async run(ctx) {
          const { page, demo, emulatorUrl, commands } = ctx;
          skipUnlessDeployContributed(commands);
          const before = await fetchEmulatorService(emulatorUrl, COORDINATOR);
          assert.notEqual(servingCommitLabel(before), demo.headShort, `precondition: ${COORDINATOR} must not already serve HEAD`);
          try {
            await clickInlineDeploy(page, COORDINATOR);
            const verified = await waitForNotification(page, new RegExp(`^${COORDINATOR} serves ${sha8(demo.head)} from (${COORDINATOR}-\\d{5}-[a-z0-9]+) \\(100% of traffic\\)\\.`), 90_000, deployNotRegistered(ctx));
            const revision = verified[1]!;
            // The deploy command ran as a task in the integrated terminal, named after the service.
            await page.locator('.part.panel').getByText(`Deploy ${COORDINATOR}`).first().waitFor({ state: 'visible', timeout: 5_000 });
            const after = await fetchEmulatorService(emulatorUrl, COORDINATOR);
            assert.ok(!revisionNames(before).includes(revision), `${revision} existed before the deploy`);
            assert.equal(after.latestCreatedRevision, revision, 'the revision the notification names is the one the script created');
            assert.equal(servingCommitLabel(after), demo.headShort, `${COORDINATOR} serves 100% from a revision labelled HEAD's short SHA`);
            await until(`${COORDINATOR}'s row up to date at HEAD`, 30_000, async () => {
              const row = await readRow(page, COORDINATOR);
              if (!row) return 'no row';
              const description = new RegExp(`^${sha8(demo.head)} · (\\d+s ago|\\d+m ago|just now)$`);
              if (row.ariaLabel !== `${COORDINATOR}: up to date` || !row.icons.includes('pass') || !description.test(row.description)) {
                return `"${row.ariaLabel}", codicon-${row.icons.join('/')}, "${row.description}"`;
              }
              return undefined;
            }, page);
            const seeded = demoUnitCounts(demo);
            await summaryAndBadgeMatchTree(ctx, { ...seeded, stale: seeded.stale - 1, ok: seeded.ok + 1 });
          } finally {
            // Later pages and runs start from the demo's scenario again.
            await resetEmulator(emulatorUrl);
          }
        },
      },
    ],
    /** For the README: a wider side bar so verdicts are readable, the configuration open beside it. */
    async beforeOverview({ page }) {
      const sidebar = await page.locator('.part.sidebar').boundingBox();
      if (sidebar) {
        const x = sidebar.x + sidebar.width + 2;
        const y = sidebar.y + sidebar.height / 2;
        await page.mouse.move(x, y);
        await page.mouse.down();
        await page.mouse.move(x + 230, y, { steps: 8 });
        await page.mouse.up();
      }
      await page.mouse.move(1000, 700);
      await page.keyboard.press('Control+P');
      await page.keyboard.type('cloud-run-drift.json');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'cloud-run-drift.json' }).first().waitFor({ state: 'visible', timeout: 5_000 });
      await page.waitForTimeout(300);
      await page.keyboard.press('Enter');
      await page.locator('.editor-group-container .monaco-editor .view-lines').first().waitFor({ state: 'visible', timeout: 10_000 });
      await page.waitForTimeout(1_000);
    },
  },
  {
    name: 'no-config',
    profile: 'trusted',
    folder: 'empty',
    checks: [
      { name: 'the workbench opens a repository without cloud-run-drift.json', timeoutMs: 90_000, run: workbenchOpens },
      {
        name: 'the Services view shows the welcome text and its Create button, no rows and no status bar item',
        timeoutMs: 60_000,
        async run({ page, containerTitle }) {
          await openContainer(page, containerTitle);
          const welcome = page.locator('.part.sidebar .welcome-view-content');
          await welcome.getByText('No cloud-run-drift.json found.', { exact: false }).waitFor({ state: 'visible', timeout: 40_000 });
          await welcome.locator('.monaco-button', { hasText: 'Create from Cloud Run' }).waitFor({ state: 'visible', timeout: 5_000 });
          assert.equal(await sideBarRows(page).count(), 0, `tree rows beside the welcome view: ${(await sideBarRows(page).allInnerTexts()).join(' | ')}`);
          assert.equal(await statusBarSummary(page).isVisible(), false, 'a drift summary in the status bar without any configuration');
        },
      },
      {
        name: 'the welcome button starts creating cloud-run-drift.json (asks for the project)',
        timeoutMs: 30_000,
        async run({ page }) {
          await page.locator('.part.sidebar .welcome-view-content .monaco-button', { hasText: 'Create from Cloud Run' }).click();
          await scaffoldAsksForTheProject(page);
        },
      },
      {
        name: "the welcome view's link opens the Getting Started walkthrough by its full id (workbench.action.openWalkthrough), every step listed",
        timeoutMs: 30_000,
        async run({ page, walkthrough }) {
          await page.locator('.part.sidebar .welcome-view-content a', { hasText: 'Open the Getting Started walkthrough' }).click();
          const heading = walkthroughHeading(page, walkthrough.fullId);
          await heading.waitFor({ state: 'visible', timeout: 20_000 });
          assert.equal((await heading.innerText()).trim(), walkthrough.title);
          for (const step of walkthrough.steps) await walkthroughStep(page, walkthrough.fullId, step.id).waitFor({ state: 'visible', timeout: 5_000 });
        },
      },
      {
        name: "the walkthrough's create step asks for the project too",
        timeoutMs: 30_000,
        async run({ page, walkthrough }) {
          const step = walkthrough.steps.find((s) => s.id === 'createConfig');
          assert.ok(step, 'the walkthrough has no createConfig step');
          const item = await expandWalkthroughStep(page, walkthrough.fullId, step.id);
          await item.locator('.button-container .monaco-button', { hasText: step.button }).click();
          await scaffoldAsksForTheProject(page);
        },
      },
    ],
  },
  {
    name: 'restricted',
    profile: 'restricted',
    folder: 'demo',
    checks: [
      { name: 'the workbench opens the demo workspace in Restricted Mode', timeoutMs: 90_000, run: workbenchOpens },
      {
        name: 'verdicts still show in Restricted Mode: every row its verdict, icon and description',
        timeoutMs: 75_000,
        run: everyRowShowsItsVerdict,
      },
      {
        name: 'the status bar and the badge still count the units not up to date',
        timeoutMs: 45_000,
        run: (ctx) => summaryAndBadgeMatchTree(ctx, demoUnitCounts(ctx.demo)),
      },
      {
        name: "Deploy on a row is refused with the Restricted Mode reason: no terminal, no new revision",
        timeoutMs: 60_000,
        async run(ctx) {
          const { page, demo, emulatorUrl, commands } = ctx;
          skipUnlessDeployContributed(commands);
          const before = await fetchEmulatorService(emulatorUrl, COORDINATOR);
          try {
            await clickInlineDeploy(page, COORDINATOR);
            await waitForNotification(page, /Restricted Mode does not allow.*\[Manage Workspace Trust\]/, 20_000, deployNotRegistered(ctx));
            // Long enough for the demo script to have created a revision had it been started.
            await page.waitForTimeout(4_000);
            const after = await fetchEmulatorService(emulatorUrl, COORDINATOR);
            assert.deepEqual(revisionNames(after), revisionNames(before), 'the deploy script ran: the emulator has a new revision');
            assert.equal(servingCommitLabel(after), servingCommitLabel(before));
            assert.equal(await page.locator('.part.panel').getByText(`Deploy ${COORDINATOR}`).count(), 0, 'a deploy terminal opened in Restricted Mode');
            const coordinator = expectedDemoRows(demo.services, Date.now()).find((r) => r.name === COORDINATOR)!;
            const problem = await rowProblem(page, coordinator);
            assert.equal(problem, undefined, problem);
          } finally {
            const now = await fetchEmulatorService(emulatorUrl, COORDINATOR).catch(() => undefined);
            if (!now || revisionNames(now).join() !== revisionNames(before).join()) await resetEmulator(emulatorUrl);
          }
        },
      },
      {
        name: "a ready previous revision's row in Deployments offers no inline Route All Traffic Here in Restricted Mode",
        timeoutMs: 60_000,
        async run({ page, demo }) {
          const scrapers = demo.services.find((s) => s.name === ROLLBACK_SERVICE);
          assert.ok(scrapers && scrapers.revisions.length >= 2, `the demo gives ${ROLLBACK_SERVICE} a previous revision`);
          const previous = scrapers.revisions[scrapers.revisions.length - 2]!.name;
          const row = await deploymentHistoryRow(page, ROLLBACK_SERVICE, previous);
          // The row a trusted window offers the action on (the rollback page clicks it there): ready, serving nothing.
          const label = (await row.getAttribute('aria-label')) ?? '';
          assert.match(label, new RegExp(`${previous} · .* · 0% · ready(, has actions)?$`));
          await row.hover();
          await page.waitForTimeout(1_000);
          assert.equal(await row.locator('.actions .action-label[aria-label="Route All Traffic Here"]').count(), 0, 'Route All Traffic Here is offered inline in Restricted Mode');
          // VS Code names a row with inline actions so for screen readers.
          assert.ok(!label.endsWith(', has actions'), `the row offers inline actions in Restricted Mode: "${label}"`);
        },
      },
    ],
  },
];

/** Create cloud-run-drift.json's first question (the project); Escape leaves it. */
async function scaffoldAsksForTheProject(page: Page): Promise<void> {
  const input = page.locator('.quick-input-widget');
  await input.getByText('Create cloud-run-drift.json (1/', { exact: false }).first().waitFor({ state: 'visible', timeout: 15_000 });
  await page.keyboard.press('Escape');
  await input.waitFor({ state: 'hidden', timeout: 5_000 });
}

// ---------------------------------------------------------------------------------------------
// The Getting Started walkthrough in VS Code's Welcome editor (ui/walkthrough.ts has its page).

/** The open walkthrough's heading. */
export function walkthroughHeading(page: Page, fullId: string): Locator {
  return page.locator(`h2.category-title[x-category-title-for="${fullId}"]`);
}

/** A step of the open walkthrough: a button that opens it (`aria-expanded`). */
export function walkthroughStep(page: Page, fullId: string, stepId: string): Locator {
  return page.locator(`.getting-started-step[data-step-id="${fullId}#${stepId}"]`);
}

/** Opens the step (its description, button and image show) unless it is open. */
export async function expandWalkthroughStep(page: Page, fullId: string, stepId: string): Promise<Locator> {
  const item = walkthroughStep(page, fullId, stepId);
  await item.waitFor({ state: 'visible', timeout: 15_000 });
  if ((await item.getAttribute('aria-expanded')) !== 'true') await item.click();
  await until(`step ${stepId} to open`, 10_000, async () => ((await item.getAttribute('aria-expanded')) === 'true' ? undefined : 'closed'), page);
  return item;
}

// ---------------------------------------------------------------------------------------------
// The workbench: palette, quick picks, input boxes; the first check of a page that uses them.

/** Clicks the quick pick's item whose label is exactly `label` (waits for it to be offered). */
export async function pickItem(page: Page, label: string, timeoutMs = 20_000): Promise<void> {
  const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  // Found by its label when clicked, not by position: the list re-renders (and reuses its row elements) as it settles.
  const row = rows.filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) }).first();
  await until(
    `the quick pick to offer "${label}"`,
    timeoutMs,
    async () => {
      if ((await row.count()) > 0 && (await row.isVisible())) return undefined;
      const labels = await rows.evaluateAll((els) => els.map((el) => el.querySelector('.label-name')?.textContent ?? ''));
      return `it offers: ${labels.map((l) => `"${l}"`).join(', ') || 'nothing'}`;
    },
    page,
  );
  // The pointer still rests where the last pick was clicked: a hover it opened there can cover this row.
  await page.mouse.move(0, 0);
  await row.click();
}

/** Types into the input box whose prompt contains `prompt`, then Enter. */
export async function answerInputBox(page: Page, prompt: string, text: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  await widget.locator('.quick-input-message', { hasText: prompt }).waitFor({ state: 'visible', timeout: 15_000 });
  await widget.locator('.quick-input-box input').fill(text);
  await page.keyboard.press('Enter');
}

/**
 * Clears the notification center, so that a check's waitForNotification cannot match what an
 * earlier check was told (VS Code keeps a notification until it is cleared, and replaces one only
 * when the same text is posted again).
 */
export async function clearNotifications(page: Page): Promise<void> {
  await runFromPalette(page, 'Notifications: Clear All Notifications');
}

/** F1, the command's title, its row: what a person does (the webview forwards F1 when it has focus). */
export async function runFromPalette(page: Page, title: string, timeoutMs?: number): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  await pickItem(page, title, timeoutMs);
}

export const verdictsLoad: UiCheck = {
  name: 'the workbench opens the demo workspace and the verdicts load',
  timeoutMs: 120_000,
  async run(ctx) {
    await workbenchOpens(ctx);
    // Commands in the palette need a loaded configuration (cloudRunDrift.state == ready).
    await until('the status bar summary to count verdicts', 60_000, async () => {
      const item = statusBarSummary(ctx.page);
      const text = (await item.isVisible()) ? (await item.innerText()).trim() : '';
      return /\d+ ok/.test(text) ? undefined : `status bar: "${text}"`;
    }, ctx.page);
  },
};
