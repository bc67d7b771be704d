import { expect, test } from '@playwright/test';
import { openStudio, SHOTS } from './helpers';

test('ask the local policy a question: the model loads, steps stream in with rows, the chain lands in Monaco', async ({ page }) => {
  // Loading the 27 MB ORT wasm and the model, then decoding on one core: allow for a slow CI machine.
  test.setTimeout(180_000);
  await openStudio(page, '?sample=concert_singer&backend=wasm');
  await page.getByLabel('Question').fill('How many singers do we have?');
  await page.getByRole('button', { name: 'Ask' }).click();
  await expect(page.getByTestId('backend')).toHaveText(/Policy ready · WASM/, { timeout: 150_000 });
  await expect(page.getByTestId('tok-s')).toBeVisible({ timeout: 150_000 });
  await expect(page.getByRole('button', { name: 'Ask' })).toBeVisible({ timeout: 150_000 });
  const cards = page.getByTestId('step-card');
  expect(await cards.count()).toBeGreaterThanOrEqual(1);
  await expect(page.locator('[data-testid=step-card][data-state=pending]')).toHaveCount(0);
  // Decoded under the prefix checker: every step of the answer runs.
  await expect(page.locator('[data-testid=step-card][data-state=error]')).toHaveCount(0);
  const text = await page.evaluate(() => (window as unknown as { __cocteEditor: { getValue(): string } }).__cocteEditor.getValue());
  expect(text).toMatch(/SELECT/i);
  await page.screenshot({ path: `${SHOTS}/06-policy-answer.png` });

  // The same question with a token beam of 2: the answer comes from the beam search, its steps are run and shown.
  await page.getByLabel('Token beam width').fill('2');
  await page.getByLabel('Question').fill('What is the average age of all singers?');
  await page.getByRole('button', { name: 'Ask' }).click();
  await expect(page.getByRole('button', { name: 'Ask' })).toBeVisible({ timeout: 120_000 });
  await expect(page.locator('[data-testid=step-card][data-state=pending]')).toHaveCount(0);
  expect(await cards.count()).toBeGreaterThanOrEqual(1);
  const beamText = await page.evaluate(() => (window as unknown as { __cocteEditor: { getValue(): string } }).__cocteEditor.getValue());
  expect(beamText).toMatch(/SELECT/i);
  expect(beamText).not.toBe(text);
});
