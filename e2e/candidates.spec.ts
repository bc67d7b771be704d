import { expect, test, type Page } from '@playwright/test';
import { openStudio, setEditorText, SHOTS } from './helpers';

const editorText = (page: Page) => page.evaluate(() => (window as unknown as { __cocteEditor: { getValue(): string } }).__cocteEditor.getValue());

test('best-of-N with the PRM: candidates with step scores and weights, the chosen one marked, another one selectable, edits re-scored', async ({ page }) => {
  // Loading ORT, the policy and the PRM, then decoding three chains on one core: allow for a slow CI machine.
  test.setTimeout(300_000);
  await openStudio(page, '?sample=concert_singer&backend=wasm');
  await page.getByLabel('Strategy').selectOption({ label: 'Best-of-N (PRM)' });
  await page.getByLabel('Number of candidates (N)').fill('3');
  await expect(page.getByLabel('Aggregator')).toHaveValue('weighted');
  await page.getByLabel('Question').fill('How many singers do we have?');
  await page.getByRole('button', { name: 'Ask' }).click();
  await expect(page.getByTestId('backend')).toHaveText(/Policy ready · WASM/, { timeout: 150_000 });
  await expect(page.getByTestId('prm-status')).toHaveText('PRM ready', { timeout: 150_000 });

  // Candidates appear as they complete; the search is over when Ask comes back.
  const candidates = page.getByTestId('candidate');
  await expect(candidates.first()).toBeVisible({ timeout: 240_000 });
  await expect(page.getByRole('button', { name: 'Ask' })).toBeVisible({ timeout: 240_000 });
  await expect(candidates).toHaveCount(3);
  await expect(page.getByTestId('candidate-pending')).toHaveCount(0);

  // Every step of every candidate has a PRM score and an entropy weight (bars with numbers); weights sum to 1.
  for (let i = 0; i < 3; i++) {
    const c = candidates.nth(i);
    const steps = await c.getByTestId('candidate-step').count();
    expect(steps).toBeGreaterThanOrEqual(1);
    const prm = (await c.getByTestId('prm-bar').evaluateAll((els) => els.map((e) => e.getAttribute('data-value')))).map(Number);
    const weights = (await c.getByTestId('weight-bar').evaluateAll((els) => els.map((e) => e.getAttribute('data-value')))).map(Number);
    expect(prm).toHaveLength(steps);
    expect(weights).toHaveLength(steps);
    for (const s of prm) {
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
    }
    expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 1);
    await expect(c.getByTestId('candidate-score')).toHaveText(/score \d\.\d{3}/);
    await expect(c.getByTestId('candidate-outcome')).toHaveText(/✓ \d+ rows?|✗ fails/);
  }
  await expect(page.getByRole('meter', { name: 'Candidate 1 step final PRM score' })).toBeVisible();

  // Exactly one chain is chosen, with the reason; it is the one in the editor, and selected.
  await expect(page.getByTestId('chosen-marker')).toHaveCount(1);
  await expect(page.getByTestId('choice-reason')).toHaveText(/Chose candidate \d: .+/);
  const chosen = page.locator('[data-testid=candidate][data-chosen=true]');
  await expect(chosen).toHaveAttribute('data-selected', 'true');
  const chosenSql = (await chosen.getAttribute('title'))!;
  await expect.poll(() => editorText(page)).toBe(chosenSql);
  await expect(page.locator('[data-testid=step-card][data-state=pending]')).toHaveCount(0);
  await expect(page.getByTestId('step-prm')).toHaveCount(await page.getByTestId('step-card').count());
  await page.screenshot({ path: `${SHOTS}/07-candidates.png` });

  // Click another candidate (one whose chain differs from the chosen one, if the sampler wrote any).
  const sqls = await candidates.evaluateAll((els) => els.map((e) => e.getAttribute('title')!));
  const chosenIndex = sqls.indexOf(chosenSql);
  const differing = sqls.findIndex((s) => s !== chosenSql);
  const target = differing >= 0 ? differing : (chosenIndex + 1) % sqls.length;
  if (differing < 0) test.info().annotations.push({ type: 'note', description: 'all candidates wrote the same chain' });
  const other = candidates.nth(target);
  await other.getByRole('button', { name: `Candidate ${target + 1}` }).click();
  await expect(other).toHaveAttribute('data-selected', 'true');
  await expect(chosen).toHaveAttribute('data-selected', 'false');
  await expect(chosen.getByTestId('chosen-marker')).toBeVisible();
  await expect.poll(() => editorText(page)).toBe(sqls[target]);
  if (differing >= 0) expect(await editorText(page)).not.toBe(chosenSql);

  // The step cards and the grid now show that chain: one card per step, its final outcome in the grid.
  const otherSteps = await other.getByTestId('candidate-step').count();
  await expect(page.getByTestId('step-card')).toHaveCount(otherSteps);
  await expect(page.locator('[data-testid=step-card][data-state=pending]')).toHaveCount(0);
  const outcome = (await other.getByTestId('candidate-outcome').innerText()).trim();
  const rows = /✓ ([\d,]+) rows?/.exec(outcome);
  if (rows) await expect(page.getByTestId('result-count')).toHaveText(new RegExp(`^${rows[1]} rows`));
  else await expect(page.getByTestId('step-card').last()).toHaveAttribute('data-state', 'error');
  await expect(page.getByTestId('step-prm')).toHaveCount(otherSteps);

  // An edit by hand: once its steps have run, the PRM scores the new chain (one pass) and the cards show the scores.
  await setEditorText(page, 'WITH\n  s1 AS (\n    SELECT *\n    FROM singer\n  )\nSELECT count(*)\nFROM s1');
  await expect(page.getByTestId('step-card')).toHaveCount(2);
  await expect(page.getByTestId('step-prm')).toHaveCount(2, { timeout: 30_000 });
  for (const v of await page.getByTestId('step-prm').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))))) {
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThanOrEqual(1);
  }
  await expect(page.getByTestId('result-count')).toHaveText(/^1 rows/);
});

test('without the PRM, best-of-N says why it cannot run and greedy still answers', async ({ page }) => {
  test.setTimeout(240_000);
  await openStudio(page, '?sample=concert_singer&backend=wasm&prm=off');
  await page.getByLabel('Strategy').selectOption('bon');
  await page.getByLabel('Question').fill('How many singers do we have?');
  await page.getByRole('button', { name: 'Ask' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'needs the process reward model' })).toBeVisible({ timeout: 150_000 });
  await expect(page.getByTestId('backend')).toHaveText(/Policy ready · WASM/);
  await expect(page.getByTestId('prm-status')).toHaveText(/PRM unavailable/);
  await expect(page.getByTestId('candidate')).toHaveCount(0);
  // Greedy still answers: the chain lands in Monaco, and its steps get no PRM scores.
  await page.getByLabel('Strategy').selectOption('greedy');
  await page.getByRole('button', { name: 'Ask' }).click();
  await expect(page.getByRole('button', { name: 'Stop' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Ask' })).toBeVisible({ timeout: 150_000 });
  await expect(page.getByRole('alert').filter({ hasText: 'needs the process reward model' })).toHaveCount(0);
  await expect(page.locator('[data-testid=step-card][data-state=pending]')).toHaveCount(0);
  expect(await editorText(page)).toMatch(/SELECT/i);
  await expect(page.getByTestId('step-prm')).toHaveCount(0);
});
