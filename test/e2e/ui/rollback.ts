// Route All Traffic Here as a person meets it (trusted demo workspace): on a ready previous revision's
// row in a service's Deployments history, the inline action; the modal naming the commits that would
// stop being served; the progress while Cloud Run (the emulator) reconciles; the result saying the
// revision serves 100%, checked against the emulator's state; the service's row stale and rolled back;
// Undo on the result routing traffic back as it was. Then a revision that cannot serve (the emulator's
// `traffic-plan` calls it unservable): the specific failure, and the traffic set back.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import type { DemoServiceState } from '../../../src/emulator/demo/workspace';
import { fetchEmulatorService, sha8, type EmulatorRunService } from '../expectations';
import { clearNotifications, deploymentHistoryRow, openContainer, resetEmulator, ROLLBACK_SERVICE, serviceRowText, showNotificationCenter, until, verdictsLoad, waitForNotification, type UiPage } from './checks';

const ACTION = 'Route All Traffic Here';
/** Long enough for the check to read the progress notification while the emulator reconciles. */
const RECONCILING_MS = 6_000;

async function control(emulatorUrl: string, action: string, body: unknown): Promise<void> {
  const response = await fetch(`${emulatorUrl}/control/${action}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`emulator ${action}: HTTP ${response.status} ${await response.text()}`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** What serves, as the emulator has it: `100% <revision>` per target with a share. */
function servingOf(service: EmulatorRunService): string[] {
  return service.serving.filter((s) => s.percent > 0).map((s) => `${s.percent}% ${s.revision}`);
}

/** The commits touching the service's paths between the two revisions' commits, newest first (real git in the demo repository). */
function commitsBetween(dir: string, from: string, to: string, paths: string[]): { sha: string; subject: string }[] {
  const out = execFileSync('git', ['log', '--format=%H%x09%s', `${from}..${to}`, '--', ...paths], { cwd: dir, encoding: 'utf8' });
  return out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [sha, subject] = line.split('\t') as [string, string];
      return { sha, subject };
    });
}

/** Hovers the history row and clicks its inline Route All Traffic Here. */
async function routeHere(page: Page, service: string, revision: string): Promise<void> {
  const row = await deploymentHistoryRow(page, service, revision);
  await row.hover();
  const button = row.locator(`.actions .action-label[aria-label="${ACTION}"]`);
  await button.waitFor({ state: 'visible', timeout: 10_000 });
  await button.click();
}

/** Clicks `button` on the notification (in the notification center) whose message matches. */
async function clickNotificationButton(page: Page, message: RegExp, button: string): Promise<void> {
  await showNotificationCenter(page);
  const item = page.locator('.notifications-center .notification-list-item').filter({ has: page.locator('.notification-list-item-message', { hasText: message }) }).first();
  await item.waitFor({ state: 'visible', timeout: 10_000 });
  await item.locator('.notification-list-item-buttons-container .monaco-button', { hasText: button }).click();
}

async function rowSays(page: Page, service: string, label: string, description: RegExp, what: string): Promise<void> {
  await until(what, 30_000, async () => {
    const row = await serviceRowText(page, service);
    if (!row) return 'no row';
    return row.ariaLabel === `${service}: ${label}` && description.test(row.description) ? undefined : `"${row.ariaLabel}", "${row.description}"`;
  }, page);
}

function scrapersOf(demo: { services: readonly DemoServiceState[] }): { service: DemoServiceState; previous: string; serving: string } {
  const service = demo.services.find((s) => s.name === ROLLBACK_SERVICE);
  assert.ok(service && service.revisions.length >= 2, `the demo gives ${ROLLBACK_SERVICE} a previous revision`);
  assert.equal(service.commitsBehind, 0, `${ROLLBACK_SERVICE} is up to date in the demo`);
  return { service, previous: service.revisions[service.revisions.length - 2]!.name, serving: service.servingRevision };
}

export function rollbackPage(): UiPage {
  return {
    name: 'rollback',
    profile: 'trusted',
    folder: 'demo',
    checks: [
      verdictsLoad,
      {
        name: "Route All Traffic Here on a previous revision's row: the modal lists the commits that would stop being served; confirmed, the progress, then the revision serves 100% (emulator too) and the row says stale, rolled back; Undo routes traffic back and the row is up to date again",
        timeoutMs: 150_000,
        async run({ page, demo, emulatorUrl, containerTitle }) {
          const { service, previous, serving } = scrapersOf(demo);
          const target = service.revisions.find((r) => r.name === previous)!;
          const before = await fetchEmulatorService(emulatorUrl, ROLLBACK_SERVICE);
          assert.deepEqual(servingOf(before), [`100% ${serving}`], `precondition: ${serving} serves all of ${ROLLBACK_SERVICE}'s traffic`);
          const stopping = commitsBetween(demo.dir, target.commit, service.deployedCommit, service.paths);
          assert.ok(stopping.length > 0, 'the previous revision lacks at least the serving commit');
          try {
            await control(emulatorUrl, 'traffic-plan', { project: demo.project, region: demo.region, service: ROLLBACK_SERVICE, reconcilingMs: RECONCILING_MS });
            await openContainer(page, containerTitle);
            await rowSays(page, ROLLBACK_SERVICE, 'up to date', new RegExp(`^${sha8(service.deployedCommit)} · `), `${ROLLBACK_SERVICE}'s row up to date`);
            await routeHere(page, ROLLBACK_SERVICE, previous);

            const dialog = page.locator('.monaco-dialog-box');
            await dialog.waitFor({ state: 'visible', timeout: 30_000 });
            const text = (await dialog.innerText()).replace(/\s+/g, ' ');
            assert.match(text, new RegExp(`Route all of ${ROLLBACK_SERVICE}'s traffic to ${previous} \\(${sha8(target.commit)} "`));
            assert.match(text, new RegExp(`Now serving: 100% ${serving} \\(${sha8(service.deployedCommit)} `));
            const n = stopping.length;
            assert.match(text, new RegExp(`${n} commit${n === 1 ? '' : 's'} touching ${ROLLBACK_SERVICE}'s paths would stop being served: `));
            for (const commit of stopping) assert.ok(text.includes(`${sha8(commit.sha)} ${commit.subject}`), `the modal lists ${sha8(commit.sha)} ${commit.subject}: ${text}`);
            assert.match(text, new RegExp(`Undo sets it back to: 100% LATEST\\.`));
            await dialog.locator('.monaco-button', { hasText: /^Route All Traffic$/ }).click();
            await dialog.waitFor({ state: 'hidden', timeout: 5_000 });

            // Cloud Run reconciles for RECONCILING_MS: the progress shows meanwhile.
            await waitForNotification(page, new RegExp(`^Routing all of ${ROLLBACK_SERVICE}'s traffic to ${previous}`), 10_000);
            const verified = `^${ROLLBACK_SERVICE} serves 100% ${previous} \\(traffic rolled out, generation \\d+\\)\\. \\[Undo\\]$`;
            await waitForNotification(page, new RegExp(verified), 45_000);
            const rolledBack = await fetchEmulatorService(emulatorUrl, ROLLBACK_SERVICE);
            assert.deepEqual(servingOf(rolledBack), [`100% ${previous}`], 'the emulator serves the previous revision');
            await rowSays(page, ROLLBACK_SERVICE, 'stale', new RegExp(`^${n} behind( for [^·]+)? · ${sha8(target.commit)} · .* · rolled back to ${escapeRegExp(previous)}$`), `${ROLLBACK_SERVICE}'s row stale, rolled back`);
            const targetRow = await deploymentHistoryRow(page, ROLLBACK_SERVICE, previous);
            await until(`${previous}'s history row to serve 100%`, 15_000, async () => {
              const label = (await targetRow.getAttribute('aria-label')) ?? '';
              return / · 100% · ready$/.test(label) ? undefined : `"${label}"`;
            }, page);

            await clickNotificationButton(page, new RegExp(verified.slice(0, verified.indexOf(' \\[Undo'))), 'Undo');
            await waitForNotification(page, new RegExp(`^Setting ${ROLLBACK_SERVICE}'s traffic back`), 10_000);
            await waitForNotification(page, new RegExp(`^${ROLLBACK_SERVICE} serves 100% ${serving} \\(traffic rolled out, generation \\d+\\)\\.$`), 45_000);
            const undone = await fetchEmulatorService(emulatorUrl, ROLLBACK_SERVICE);
            assert.deepEqual(servingOf(undone), [`100% ${serving}`], 'the emulator serves what served before');
            assert.deepEqual(undone.traffic, before.traffic, 'the traffic is configured as before (100% to the latest ready revision)');
            await rowSays(page, ROLLBACK_SERVICE, 'up to date', new RegExp(`^${sha8(service.deployedCommit)} · [^·]+$`), `${ROLLBACK_SERVICE}'s row up to date again, not rolled back`);
          } finally {
            await resetEmulator(emulatorUrl);
          }
        },
      },
      {
        name: 'Cancel on the progress while Cloud Run reconciles: a warning says the change was made but not proven, with Undo; Undo routes traffic back (emulator too)',
        timeoutMs: 120_000,
        async run({ page, demo, emulatorUrl, containerTitle }) {
          const { previous, serving } = scrapersOf(demo);
          const before = await fetchEmulatorService(emulatorUrl, ROLLBACK_SERVICE);
          try {
            // Long enough that the proof is still waiting when Cancel is pressed.
            await control(emulatorUrl, 'traffic-plan', { project: demo.project, region: demo.region, service: ROLLBACK_SERVICE, reconcilingMs: 30_000 });
            // What earlier checks were told (the same outcome texts among them) is not read as this check's.
            await clearNotifications(page);
            await openContainer(page, containerTitle);
            await routeHere(page, ROLLBACK_SERVICE, previous);
            const dialog = page.locator('.monaco-dialog-box');
            await dialog.waitFor({ state: 'visible', timeout: 30_000 });
            await dialog.locator('.monaco-button', { hasText: /^Route All Traffic$/ }).click();
            const progress = new RegExp(`^Routing all of ${ROLLBACK_SERVICE}'s traffic to ${previous}`);
            await waitForNotification(page, progress, 10_000);
            await clickNotificationButton(page, progress, 'Cancel');
            const canceled = `^Stopped waiting: Cloud Run accepted routing all of ${ROLLBACK_SERVICE}'s traffic to ${previous} \\(generation \\d+\\); whether it serves was not proven\\.`;
            await waitForNotification(page, new RegExp(`${canceled}.* \\[Undo\\]$`), 15_000);
            // The change stands in Cloud Run (still rolling out): the traffic is configured to the previous revision.
            const changed = await fetchEmulatorService(emulatorUrl, ROLLBACK_SERVICE);
            assert.deepEqual(changed.traffic.map((t) => [t.revision ?? 'LATEST', t.percent]), [[previous, 100]], 'the change Cloud Run accepted stands');

            await control(emulatorUrl, 'traffic-plan', { project: demo.project, region: demo.region, service: ROLLBACK_SERVICE, reconcilingMs: 1_000 });
            await clickNotificationButton(page, new RegExp(canceled), 'Undo');
            await waitForNotification(page, new RegExp(`^${ROLLBACK_SERVICE} serves 100% ${serving} \\(traffic rolled out, generation \\d+\\)\\.$`), 45_000);
            const undone = await fetchEmulatorService(emulatorUrl, ROLLBACK_SERVICE);
            assert.deepEqual(undone.traffic, before.traffic, 'the traffic is configured as before');
            assert.deepEqual(servingOf(undone), [`100% ${serving}`], 'the emulator serves what served before');
          } finally {
            await resetEmulator(emulatorUrl);
          }
        },
      },
      {
        name: 'Route All Traffic Here to a revision that cannot serve shows the specific failure, no Undo, and the traffic set back (emulator too)',
        timeoutMs: 120_000,
        async run({ page, demo, emulatorUrl, containerTitle }) {
          const { previous, serving } = scrapersOf(demo);
          const why = `Image '${demo.region}-docker.pkg.dev/${demo.project}/nba-props/${ROLLBACK_SERVICE}' not found.`;
          try {
            await control(emulatorUrl, 'traffic-plan', { project: demo.project, region: demo.region, service: ROLLBACK_SERVICE, reconcilingMs: 1_000, unservable: { [previous]: why } });
            // What earlier checks were told (the same outcome texts among them) is not read as this check's.
            await clearNotifications(page);
            await openContainer(page, containerTitle);
            await routeHere(page, ROLLBACK_SERVICE, previous);
            const dialog = page.locator('.monaco-dialog-box');
            await dialog.waitFor({ state: 'visible', timeout: 30_000 });
            await dialog.locator('.monaco-button', { hasText: /^Route All Traffic$/ }).click();
            const failure = await waitForNotification(page, new RegExp(`^${ROLLBACK_SERVICE} did not route traffic as asked: (.*) Traffic was set back to what served before \\(100% ${serving}\\)\\.$`), 60_000);
            assert.ok(failure[1]!.includes(why), `the failure names the reason the emulator gave: "${failure[0]}"`);
            const after = await fetchEmulatorService(emulatorUrl, ROLLBACK_SERVICE);
            assert.deepEqual(servingOf(after), [`100% ${serving}`], 'the emulator serves what served before');
            await rowSays(page, ROLLBACK_SERVICE, 'up to date', new RegExp(`^${sha8(demo.services.find((s) => s.name === ROLLBACK_SERVICE)!.deployedCommit)} · [^·]+$`), `${ROLLBACK_SERVICE}'s row still up to date`);
          } finally {
            await resetEmulator(emulatorUrl);
          }
        },
      },
    ],
  };
}
