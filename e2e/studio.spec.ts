import { expect, test } from '@playwright/test';
import { openStudio, setEditorText, SHOTS } from './helpers';

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

test('opens a database from a URL, reports a bad URL, and opens a dropped file', async ({ page }) => {
  await openStudio(page);
  await page.getByLabel('Database URL').fill('http://127.0.0.1:4173/samples/pets_1.sqlite');
  await page.getByRole('button', { name: 'Open URL' }).click();
  await expect(page.getByTestId('db-status')).toContainText('pets_1.sqlite');
  await expect(page.getByTestId('rows-Student')).toHaveText('34');

  await page.getByLabel('Database URL').fill('http://127.0.0.1:4173/samples/missing.sqlite');
  await page.getByRole('button', { name: 'Open URL' }).click();
  await expect(page.locator('.error-banner')).toContainText(/HTTP 404|not a SQLite database/);
  await expect(page.getByTestId('db-status')).toContainText('pets_1.sqlite');

  const bytes = [...(await import('node:fs')).readFileSync('public/samples/concert_singer.sqlite')];
  const dt = await page.evaluateHandle((b) => {
    const d = new DataTransfer();
    d.items.add(new File([new Uint8Array(b)], 'dropped.sqlite'));
    return d;
  }, bytes);
  await page.locator('.drop-zone').dispatchEvent('dragover', { dataTransfer: dt });
  await page.locator('.drop-zone').dispatchEvent('drop', { dataTransfer: dt });
  await expect(page.getByTestId('db-status')).toContainText('dropped.sqlite');
  await expect(page.getByTestId('rows-singer')).toHaveText('6');
});

test('the editor completes table and column names from the open schema', async ({ page }) => {
  await openStudio(page);
  await setEditorText(page, '');
  await page.locator('.monaco-editor').click();
  await page.keyboard.type('SELECT * FROM PlaylistTr');
  await page.keyboard.press('Control+Space');
  await expect(page.locator('.suggest-widget')).toContainText('PlaylistTrack');
  await page.keyboard.press('Enter');
  await page.keyboard.type(' AS p WHERE p.');
  await page.keyboard.press('Control+Space');
  await expect(page.locator('.suggest-widget')).toContainText('TrackId');
  await expect(page.locator('.suggest-widget')).toContainText('PlaylistId');
  await expect(page.locator('.suggest-widget')).not.toContainText('BillingCity');
});
