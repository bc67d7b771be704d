import { expect, test } from '@playwright/test';
import { openStudio, SHOTS } from './helpers';

test('opens with Chinook: schema with row counts, decomposed example steps with rows, result grid', async ({ page }) => {
  const external: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith('http://127.0.0.1:4173') && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) external.push(r.url());
  });
  await openStudio(page);
  await expect(page.getByTestId('rows-Track')).toHaveText('3,503');
  await expect(page.getByTestId('rows-Genre')).toHaveText('25');
  await page.getByTestId('table-Track').getByRole('button').click();
  await expect(page.getByTestId('table-Track')).toContainText('GenreId');
  await expect(page.getByTestId('table-Track')).toContainText('→ Genre.GenreId');
  const cards = page.getByTestId('step-card');
  expect(await cards.count()).toBeGreaterThanOrEqual(4);
  await expect(cards.last()).toHaveAttribute('data-state', 'ok');
  await expect(page.getByTestId('result-count')).toContainText('5 rows');
  await expect(page.locator('.monaco-editor')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/01-chinook-default.png` });
  expect(external).toEqual([]);
  await page.getByRole('button', { name: 'Query Track' }).click();
  await expect(page.getByTestId('result-count')).toContainText('100 rows');
  await expect(page.getByTestId('result-grid')).toContainText('For Those About To Rock');
});
