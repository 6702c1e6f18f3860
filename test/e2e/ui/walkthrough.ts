// The Getting Started walkthrough as a person meets it in the trusted demo workspace: Welcome: Open
// Walkthrough… in the Command Palette offers it; it opens with its steps in the manifest's order,
// each with its title, its button and its image as the editor loads it from the installed
// extension; each step's button runs its command as far as it goes without a Google Cloud project
// (a terminal, the scaffold's question, the Services view, a service picker) and marks the step
// done. The no-config page (ui/checks.ts) opens it from the Services view's welcome link.
import * as assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { WALKTHROUGH_STEP_IDS } from '../../../src/extension/commandIds';
import { expandWalkthroughStep, openContainer, pickItem, serviceRow, until, verdictsLoad, walkthroughHeading, type UiCheck, type UiPage } from './checks';

/** The step's own checkbox (VS Code's `data-done-step-id`): `aria-checked` says whether the step is done; a click toggles it. */
function stepCheckbox(page: Page, fullId: string, stepId: string): Locator {
  return page.locator(`[data-done-step-id="${fullId}#${stepId}"]`);
}

async function isDone(page: Page, fullId: string, stepId: string): Promise<boolean> {
  return (await stepCheckbox(page, fullId, stepId).getAttribute('aria-checked')) === 'true';
}

/** The service picker a command without a service opens: its question and the demo's services; Escape leaves it. */
async function servicePicker(page: Page, question: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('.quick-input-box input');
  await until(`the picker asking "${question}"`, 15_000, async () => {
    const placeholder = (await widget.isVisible()) ? ((await input.getAttribute('placeholder')) ?? '') : '(no picker)';
    return placeholder.startsWith(question) ? undefined : `picker: "${placeholder}"`;
  }, page);
  await widget.locator('.monaco-list-row', { hasText: 'prediction-coordinator' }).first().waitFor({ state: 'visible', timeout: 5_000 });
  await page.keyboard.press('Escape');
  await widget.waitFor({ state: 'hidden', timeout: 5_000 });
}

/** What each step's button visibly does, and how it is left so the next step starts from the walkthrough. */
const EFFECTS: Record<(typeof WALKTHROUGH_STEP_IDS)[number], (page: Page) => Promise<void>> = {
  async signIn(page) {
    // A terminal named after what it runs (`gcloud auth application-default login`; gcloud may be missing here).
    await page.locator('.part.panel').getByText('gcloud auth').first().waitFor({ state: 'visible', timeout: 15_000 });
  },
  async createConfig(page) {
    // The demo repository has its configuration: the scaffold asks before replacing it. Cancel keeps it.
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    assert.match((await dialog.innerText()).replace(/\s+/g, ' '), /cloud-run-drift\.json already exists\. Replace it with one generated from Cloud Run\?/);
    await dialog.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 5_000 });
  },
  async readVerdicts(page) {
    await serviceRow(page, 'prediction-coordinator').waitFor({ state: 'visible', timeout: 15_000 });
  },
  async deploy(page) {
    await servicePicker(page, 'Deploy which service?');
  },
  async rollBack(page) {
    await servicePicker(page, 'Route all traffic of which service to one of its previous revisions?');
  },
  async openLogs(page) {
    await servicePicker(page, 'Open the logs of which service, function or job?');
  },
};

const opensWithItsSteps: UiCheck = {
  name: 'Welcome: Open Walkthrough… offers Get Started with Cloud Run Drift; it opens with its six steps in order, each with its button and its image loaded from the installed extension',
  timeoutMs: 90_000,
  async run({ page, walkthrough }) {
    const { fullId, title, steps } = walkthrough;
    assert.deepEqual(steps.map((s) => s.id), [...WALKTHROUGH_STEP_IDS]);
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget .quick-input-box input').fill('>Welcome: Open Walkthrough');
    await pickItem(page, 'Welcome: Open Walkthrough...');
    await pickItem(page, title);
    const heading = walkthroughHeading(page, fullId);
    await heading.waitFor({ state: 'visible', timeout: 20_000 });
    assert.equal((await heading.innerText()).trim(), title);
    const shown = await page.locator('.getting-started-step[data-step-id]').evaluateAll((els) => els.map((el) => el.getAttribute('data-step-id')));
    assert.deepEqual(shown, steps.map((s) => `${fullId}#${s.id}`), 'the steps on the page');
    for (const step of steps) {
      const item = await expandWalkthroughStep(page, fullId, step.id);
      assert.equal((await item.locator('.step-title').innerText()).trim(), step.title);
      await item.locator('.button-container .monaco-button', { hasText: step.button }).waitFor({ state: 'visible', timeout: 5_000 });
      // The open step's image, loaded from the manifest's path (a missing file leaves it without pixels).
      await until(`${step.id}'s image to load`, 15_000, async () => {
        const images = await page.locator('.getting-started-media img').evaluateAll((els) =>
          els.map((el) => {
            // An HTMLImageElement (the checks are compiled without the DOM's types).
            const img = el as unknown as { alt: string; currentSrc: string; srcset: string; src: string; complete: boolean; naturalWidth: number };
            return { alt: img.alt, source: decodeURIComponent(img.currentSrc || img.srcset || img.src), width: img.complete ? img.naturalWidth : 0 };
          }),
        );
        const image = images.find((i) => i.alt === step.altText);
        return image && image.width > 0 && image.source.includes(`/${step.image}`) ? undefined : JSON.stringify(images);
      }, page);
    }
  },
};

const buttonsRunTheirCommands: UiCheck = {
  name: "each step's button runs its command (a gcloud terminal, the scaffold's question, the Services view, a service picker for Deploy, for Roll Back and for Open Logs) and marks the step done",
  timeoutMs: 120_000,
  async run({ page, containerTitle, walkthrough }) {
    const { fullId, steps } = walkthrough;
    // The Services view showing already: its step must be done by its button, not only by the view appearing.
    await openContainer(page, containerTitle);
    for (const step of steps) {
      const item = await expandWalkthroughStep(page, fullId, step.id);
      // Done when a configuration is loaded, which it is; the other steps are done by their commands.
      const byCommand = step.id !== 'createConfig';
      // Progress is kept per profile, and earlier pages ran these commands: undo it first, as a person can.
      if (byCommand && (await isDone(page, fullId, step.id))) {
        await stepCheckbox(page, fullId, step.id).click();
        await until(`${step.id} to be marked not done`, 5_000, async () => ((await isDone(page, fullId, step.id)) ? 'done' : undefined), page);
      }
      await item.locator('.button-container .monaco-button', { hasText: step.button }).click();
      await EFFECTS[step.id as keyof typeof EFFECTS](page);
      if (byCommand) await until(`${step.id} to be marked done by its button`, 10_000, async () => ((await isDone(page, fullId, step.id)) ? undefined : 'not done'), page);
    }
    // Escape on the pickers ended the deploy and the rollback before they did anything: no deploy terminal opened.
    assert.equal(await page.locator('.part.panel').getByText('Deploy prediction-coordinator').count(), 0, 'a deploy terminal opened');
  },
};

export function walkthroughPage(): UiPage {
  return { name: 'walkthrough', profile: 'trusted', folder: 'demo', checks: [verdictsLoad, opensWithItsSteps, buttonsRunTheirCommands] };
}
