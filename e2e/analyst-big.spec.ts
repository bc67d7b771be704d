/**
 * Big databases and comfort (issue 25 items 4 and 5): a generated 2,000-table database opens with progress, schema
 * search finds a table, and a question gets an answer; dark mode follows the OS and toggles (Monaco too); the command
 * palette and the shortcuts run registered actions; the result grid sorts and copies.
 */
import { expect, test } from '@playwright/test';
import { sparseDbFile, wideDb, wideTableName } from '../scripts/lib/bigDb';
import { openStudio, setEditorText, SHOTS } from './helpers';

test('a 2,000-table database opens with progress, schema search finds a table, and a question gets an answer', async ({ page }) => {
  test.setTimeout(240_000);
  const path = await wideDb(2000);
  await openStudio(page, '?backend=wasm');
  await page.getByTestId('file-input').setInputFiles(path);
  await expect(page.getByTestId('open-progress')).toBeVisible();
  await expect(page.getByTestId('db-status')).toContainText(/wide-2000\.sqlite · .* read-only/, { timeout: 120_000 });
  // The list is virtualized: far fewer table rows in the page than tables in the schema.
  const rendered = await page.locator('[data-testid^=table-]').count();
  expect(rendered).toBeGreaterThan(5);
  expect(rendered).toBeLessThan(200);

  const target = wideTableName(1234);
  await page.keyboard.press('Control+Shift+F');
  await expect(page.getByLabel('Search tables and columns')).toBeFocused();
  // `support_employee_1234`: typed without its first word.
  await page.keyboard.type(target.split('_').slice(1).join('_'));
  await expect(page.getByTestId('schema-count')).toHaveText('1 of 2,001 tables');
  await page.getByTestId(`table-${target}`).getByRole('button').first().click();
  await expect(page.getByTestId(`table-${target}`)).toContainText('created_on');
  await expect(page.getByTestId(`table-${target}`)).toContainText(`→ ${wideTableName(1233)}.id`);
  // A column name finds every table that has it.
  await page.getByLabel('Search tables and columns').fill('country');
  await expect(page.getByTestId('schema-count')).toHaveText('1 of 2,001 tables');
  await expect(page.getByTestId('table-singer')).toContainText('Country');
  await page.screenshot({ path: `${SHOTS}/big-01-schema-search.png` });

  await page.getByLabel('Question').fill('How many singers are there?');
  await page.getByRole('button', { name: 'Ask', exact: true }).click();
  await expect(page.getByTestId('backend')).toHaveText(/Policy ready/, { timeout: 150_000 });
  await expect(page.getByRole('button', { name: 'Ask', exact: true })).toBeVisible({ timeout: 150_000 });
  await expect(page.locator('[data-testid=step-card][data-state=pending]')).toHaveCount(0);
  await expect(page.getByTestId('step-card').last()).toHaveAttribute('data-state', 'ok');
  const text = await page.evaluate(() => (window as unknown as { __cocteEditor: { getValue(): string } }).__cocteEditor.getValue());
  expect(text).toMatch(/singer/i);
  await expect(page.getByTestId('result-count')).toContainText('1 rows');
  await expect(page.getByTestId('result-grid')).toContainText('6');
  await page.screenshot({ path: `${SHOTS}/big-02-answer.png` });

  // Vote@3, then the next / previous candidate shortcuts move the selection (and the editor) between chains.
  await page.getByLabel('Strategy').selectOption({ label: 'Vote@N' });
  await page.getByLabel('Number of candidates (N)').fill('3');
  await page.getByLabel('Question').fill('What is the average age of the singers from France?');
  await page.keyboard.press('Control+Shift+Enter');
  const candidates = page.getByTestId('candidate');
  await expect(candidates).toHaveCount(3, { timeout: 150_000 });
  await expect(page.getByRole('button', { name: 'Ask', exact: true })).toBeVisible({ timeout: 150_000 });
  const selected = async () => Number(await page.locator('[data-testid=candidate][data-selected=true]').getAttribute('data-index'));
  const start = await selected();
  await page.keyboard.press('Alt+BracketRight');
  await expect.poll(selected).toBe((start + 1) % 3);
  await page.keyboard.press('Alt+BracketLeft');
  await page.keyboard.press('Alt+BracketLeft');
  await expect.poll(selected).toBe((start + 2) % 3);
});

test("a file larger than the browser can hold gets a message naming the limit, and the open database stays open", async ({ page }) => {
  // 2.2 GB, sparse on disk: Chromium allocates at most 2 GiB in one buffer, and sql.js holds the whole file in one.
  const path = sparseDbFile(2.2e9);
  await openStudio(page);
  await page.getByTestId('file-input').setInputFiles(path);
  const banner = page.locator('.error-banner');
  await expect(banner).toContainText('could not allocate 2.05 GB', { timeout: 60_000 });
  await expect(banner).toContainText('limits one buffer (ArrayBuffer) to 2.00 GB in Chromium');
  await expect(banner).toContainText('chinook.sqlite is still open');
  await expect(page.getByTestId('db-status')).toContainText(/^chinook\.sqlite · .* read-only/);
  await expect(page.getByTestId('result-count')).toContainText('5 rows');
});

test('dark mode follows the OS, the toggle switches it and Monaco follows', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await openStudio(page);
  const toggle = page.getByRole('switch', { name: 'Dark mode' });
  await expect(toggle).toBeChecked();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.locator('.monaco-editor').first()).toHaveClass(/vs-dark/);
  const bg = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  expect(bg).toBe('rgb(20, 23, 28)');
  await page.screenshot({ path: `${SHOTS}/big-03-dark.png` });

  await toggle.click();
  await expect(toggle).not.toBeChecked();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await expect(page.locator('.monaco-editor').first()).not.toHaveClass(/vs-dark/);
  // The choice is kept over a reload, whatever the OS says.
  await page.reload();
  await expect(page.getByRole('switch', { name: 'Dark mode' })).not.toBeChecked();
  await page.emulateMedia({ colorScheme: 'light' });
  await page.getByRole('switch', { name: 'Dark mode' }).click();
  await expect(page.getByRole('switch', { name: 'Dark mode' })).toBeChecked();
  await page.screenshot({ path: `${SHOTS}/big-04-dark-toggled.png` });

  // "Follow the system theme" from the command palette: the OS's light scheme again.
  await page.keyboard.press('Control+K');
  await page.getByPlaceholder('Type a command…').fill('follow');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('switch', { name: 'Dark mode' })).not.toBeChecked();
});

test('the command palette and the shortcuts run the registered actions; the grid sorts and copies', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openStudio(page);
  await setEditorText(page, 'SELECT Name, Milliseconds FROM Track WHERE AlbumId = 1');
  await expect(page.getByTestId('result-count')).toContainText('10 rows');

  // Decompose from the palette: the query becomes steps.
  await page.keyboard.press('Control+K');
  await expect(page.getByRole('dialog')).toBeVisible();
  await page.getByPlaceholder('Type a command…').fill('decomp');
  await expect(page.locator('[cmdk-item][data-action=decompose]')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/big-05-palette.png` });
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page.getByTestId('step-card')).toHaveCount(2);

  // Export with its shortcut.
  const [csv] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Control+Shift+E')]);
  expect(csv.suggestedFilename()).toBe('result.csv');

  // Sort by Milliseconds: ascending, then descending.
  const header = page.getByTestId('result-grid').getByRole('columnheader').filter({ hasText: 'Milliseconds' });
  const rows = page.getByTestId('grid-row');
  await header.getByRole('button').click();
  await expect(header).toHaveAttribute('aria-sort', 'ascending');
  await expect(rows.first()).toContainText('C.O.D.199836');
  await header.getByRole('button').click();
  await expect(header).toHaveAttribute('aria-sort', 'descending');
  await expect(rows.nth(1)).toContainText('Spellbound270863');
  // Copy a cell, then a row.
  await rows.first().locator('span').nth(1).click();
  await page.keyboard.press('Control+C');
  await expect(page.getByTestId('grid-copied')).toHaveText('Copied cell');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('For Those About To Rock (We Salute You)');
  await rows.nth(1).locator('span').first().click();
  await page.getByTestId('copy-selection').click();
  await expect(page.getByTestId('grid-copied')).toHaveText('Copied row 2');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('Spellbound\t270863');
  // A third click returns to the query's order.
  await header.getByRole('button').click();
  await expect(header).toHaveAttribute('aria-sort', 'none');
  await expect(rows.nth(1)).toContainText('Put The Finger On You');
});
