import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { openStudio, setEditorText, SHOTS } from './helpers';

const editorText = (page: Page) => page.evaluate(() => (window as unknown as { __cocteEditor: { getValue(): string } }).__cocteEditor.getValue());

// Tracks per genre with their average length: a category and two numbers.
const GROUPED = `WITH
  s1 AS (
    SELECT g.Name AS genre, count(*) AS tracks, round(avg(t.Milliseconds) / 1000.0, 1) AS avg_seconds
    FROM Track t JOIN Genre g ON t.GenreId = g.GenreId
    GROUP BY g.Name
  )
SELECT genre, tracks, avg_seconds FROM s1 ORDER BY tracks DESC LIMIT 12`;

test('a chart appears for a grouped result, changes type and axes, exports PNG and SVG, and is there for every step', async ({ page }) => {
  const scripts: string[] = [];
  page.on('request', (r) => r.url().endsWith('.js') && scripts.push(new URL(r.url()).pathname));
  await openStudio(page);
  await setEditorText(page, GROUPED);
  const final = page.locator('[data-testid=step-card][data-step=final][data-state=ok]');
  await expect(final.getByTestId('row-count')).toHaveText('12');
  // The chart code is not part of the first load.
  expect(scripts.some((s) => s.includes('renderChart'))).toBe(false);

  await final.getByRole('button', { name: 'Chart' }).click();
  const panel = final.getByTestId('chart-panel');
  await expect(panel).toHaveAttribute('data-chart-type', 'bar');
  await expect(panel.getByLabel('Chart x axis')).toHaveValue('0');
  await expect(panel.getByLabel('Chart y axis')).toHaveValue('1');
  // 12 bars (Plot draws each as a <rect> in the bar mark's group).
  await expect(panel.locator('[data-testid=chart] svg g[aria-label="bar"] rect')).toHaveCount(12);
  expect(scripts.some((s) => s.includes('renderChart'))).toBe(true);
  await page.screenshot({ path: `${SHOTS}/analyst-01-bars.png` });

  await panel.getByLabel('Chart type').selectOption('scatter');
  await expect(panel).toHaveAttribute('data-chart-type', 'scatter');
  await expect(panel.locator('[data-testid=chart] svg g[aria-label="dot"] circle')).toHaveCount(12);
  await expect(panel.getByLabel('Chart x axis')).toHaveValue('2');
  // Putting y's column on x swaps the axes.
  await panel.getByLabel('Chart x axis').selectOption({ label: 'tracks (number)' });
  await expect(panel.getByLabel('Chart y axis')).toHaveValue('2');
  await expect(panel.locator('[data-testid=chart] svg')).toContainText('avg_seconds');

  const [svg] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: 'SVG' }).click()]);
  expect(svg.suggestedFilename()).toBe('result-scatter.svg');
  const svgText = readFileSync((await svg.path())!, 'utf8');
  expect(svgText).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  expect(svgText).toContain('avg_seconds');
  const [png] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: 'PNG' }).click()]);
  expect(png.suggestedFilename()).toBe('result-scatter.png');
  const pngBytes = readFileSync((await png.path())!);
  expect(pngBytes.subarray(1, 4).toString()).toBe('PNG');
  expect(pngBytes.byteLength).toBeGreaterThan(2000);

  // The grouping step has its own chart.
  const step1 = page.locator('[data-testid=step-card][data-step=s1]');
  await step1.getByRole('button', { name: 'Chart' }).click();
  await expect(step1.getByTestId('chart-panel')).toHaveAttribute('data-chart-type', 'bar');
  await expect(step1.locator('[data-testid=chart] svg g[aria-label="bar"] rect').first()).toBeVisible();

  // A result with nothing to plot says why.
  await setEditorText(page, 'SELECT Name FROM Genre');
  await expect(page.locator('[data-testid=step-card][data-step=final][data-state=ok]').getByRole('button', { name: 'Chart' })).toBeVisible();
  const only = page.locator('[data-testid=step-card][data-step=final]');
  if ((await only.getByTestId('chart-panel').count()) === 0 && (await only.getByTestId('chart-none').count()) === 0) await only.getByRole('button', { name: 'Chart' }).click();
  await expect(only.getByTestId('chart-none')).toContainText('needs a number column');
});

test('history restores an earlier question and its chain after a page reload', async ({ page }) => {
  // Loading the ORT wasm and the model, then decoding on one core: allow for a slow machine.
  test.setTimeout(180_000);
  await openStudio(page, '?sample=concert_singer&backend=wasm');
  const question = 'How many singers do we have?';
  await page.getByLabel('Question').fill(question);
  await page.getByRole('button', { name: 'Ask' }).click();
  await expect(page.getByTestId('backend')).toHaveText(/Policy ready/, { timeout: 150_000 });
  await expect(page.getByRole('button', { name: 'Ask' })).toBeVisible({ timeout: 150_000 });
  await expect(page.locator('[data-testid=step-card][data-state=pending]')).toHaveCount(0);
  const answer = await editorText(page);
  const cards = await page.getByTestId('step-card').count();

  // Later work on the same database.
  await setEditorText(page, 'SELECT name, country FROM singer ORDER BY name');
  await expect(page.locator('[data-testid=step-card][data-step=final][data-state=ok]')).toBeVisible();
  // Entries are written when a run finishes: both are listed before the reload.
  await page.getByRole('button', { name: 'History' }).click();
  await expect(page.getByTestId('history-entry').filter({ hasText: 'model answer' })).toHaveCount(1);
  await expect(page.getByTestId('history-entry').filter({ hasText: 'ORDER BY name' })).toHaveCount(1);
  await page.keyboard.press('Escape');

  await page.reload();
  await expect(page.getByTestId('db-status')).toContainText('concert_singer.sqlite');
  await expect(page.locator('[data-testid=step-card][data-state=pending]')).toHaveCount(0);
  expect(await editorText(page)).not.toBe(answer);
  await page.getByRole('button', { name: 'History' }).click();
  const panel = page.getByTestId('history-panel');
  await panel.getByLabel('Search history').fill('SINGERS many');
  // The edit after the answer keeps its question too; the answer is the one the model wrote.
  const hit = panel.getByTestId('history-entry').filter({ hasText: 'model answer' });
  await expect(hit).toHaveCount(1);
  await expect(hit).toContainText(question);
  await expect(hit).toContainText('model answer');
  await page.screenshot({ path: `${SHOTS}/analyst-02-history.png` });
  await hit.getByRole('button', { name: question }).click();

  await expect(panel).toHaveCount(0);
  await expect(page.getByLabel('Question')).toHaveValue(question);
  await expect.poll(() => editorText(page)).toBe(answer);
  await expect(page.locator('[data-testid=step-card][data-state=pending]')).toHaveCount(0);
  await expect(page.getByTestId('step-card')).toHaveCount(cards);
  await expect(page.locator('[data-testid=step-card][data-state=error]')).toHaveCount(0);
});

test('Recent keeps an opened file with consent, reopens it without an upload, and deletes it', async ({ page }) => {
  await openStudio(page);
  const bytes = readFileSync('public/samples/pets_1.sqlite');
  await page.getByTestId('file-input').setInputFiles({ name: 'my-pets.sqlite', mimeType: 'application/octet-stream', buffer: bytes });
  await expect(page.getByTestId('db-status')).toContainText('my-pets.sqlite');
  await expect(page.getByTestId('keep-offer')).toContainText('my-pets.sqlite');
  await page.getByTestId('keep-offer').getByRole('button', { name: 'Keep', exact: true }).click();
  await expect(page.getByTestId('keep-offer')).toHaveCount(0);
  await page.getByRole('button', { name: 'History' }).click();
  await expect(page.getByTestId('recent-entry').filter({ hasText: 'my-pets.sqlite' })).toContainText('kept in this browser');
  await page.keyboard.press('Escape');

  await page.getByLabel('Sample database').selectOption('northwind');
  await expect(page.getByTestId('db-status')).toContainText('northwind.sqlite');
  await page.getByRole('button', { name: 'History' }).click();
  await expect(page.getByTestId('recent-entry').filter({ hasText: 'northwind.sqlite' })).toContainText('sample');
  await page.reload();
  await expect(page.getByTestId('db-status')).toContainText('read-only');
  await page.getByRole('button', { name: 'History' }).click();
  const mine = page.getByTestId('recent-entry').filter({ hasText: 'my-pets.sqlite' });
  await expect(mine).toContainText('kept in this browser');
  await expect(page.getByTestId('recent-entry').filter({ hasText: 'northwind.sqlite' })).toContainText('sample');
  await mine.getByRole('button', { name: /^my-pets\.sqlite local file/ }).click();
  await expect(page.getByTestId('db-status')).toContainText(`my-pets.sqlite · ${Math.round(bytes.byteLength / 1024)} kB`);
  // The same file again: nothing more to ask.
  await expect(page.getByTestId('keep-offer')).toHaveCount(0);

  await page.getByRole('button', { name: 'History' }).click();
  await page.getByTestId('recent-entry').filter({ hasText: 'my-pets.sqlite' }).getByRole('button', { name: 'Forget my-pets.sqlite' }).click();
  await expect(page.getByTestId('recent-entry').filter({ hasText: 'my-pets.sqlite' })).toHaveCount(0);
  const left = await page.evaluate(async () => {
    const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('recent-databases', { create: true });
    const names: string[] = [];
    for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
    return names;
  });
  expect(left).toEqual([]);
});

test('a share link restores the question and the chain in a fresh browser context; a local file is asked for', async ({ page, browser }) => {
  await openStudio(page, '?sample=chinook');
  await setEditorText(page, GROUPED);
  await expect(page.locator('[data-testid=step-card][data-step=final][data-state=ok]')).toBeVisible();
  const question = 'Which genres have the most tracks?';
  await page.getByLabel('Question').fill(question);
  await page.getByRole('button', { name: 'Share' }).click();
  const link = await page.getByTestId('share-link').inputValue();
  expect(link).toMatch(/^http:\/\/127\.0\.0\.1:4173\/#share=[A-Za-z0-9_-]+$/);
  // Never data: no value from the result is in the link.
  expect(Buffer.from(link.split('#share=')[1]!, 'base64url').toString()).not.toContain('Rock');

  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await other.goto(link);
  await expect(other.getByTestId('db-status')).toContainText('chinook.sqlite');
  await expect.poll(() => editorText(other)).toBe(GROUPED);
  await expect(other.getByLabel('Question')).toHaveValue(question);
  await expect(other.locator('[data-testid=step-card][data-step=final][data-state=ok]').getByTestId('row-count')).toHaveText('12');
  await expect(other.getByTestId('step-card')).toHaveCount(2);
  expect(new URL(other.url()).hash).toBe('');
  await other.screenshot({ path: `${SHOTS}/analyst-03-shared.png` });

  // A chain on a local file: the link names the file; the recipient is asked for it, then the chain runs.
  const bytes = readFileSync('public/samples/pets_1.sqlite');
  await page.getByTestId('file-input').setInputFiles({ name: 'pets.sqlite', mimeType: 'application/octet-stream', buffer: bytes });
  await expect(page.getByTestId('db-status')).toContainText('pets.sqlite');
  const PETS = 'SELECT PetType, count(*) AS pets FROM Pets GROUP BY PetType';
  await setEditorText(page, PETS);
  await expect(page.locator('[data-testid=step-card][data-step=final][data-state=ok]')).toBeVisible();
  await page.getByLabel('Question').fill('');
  await page.getByRole('button', { name: 'Share' }).click();
  await page.getByRole('button', { name: 'Share' }).click();
  const fileLink = await page.getByTestId('share-link').inputValue();
  await expect(page.getByRole('dialog', { name: 'Share link' })).toContainText('asked for pets.sqlite');

  const third = await (await browser.newContext()).newPage();
  await third.goto(fileLink);
  await expect(third.getByTestId('share-awaiting')).toContainText('pets.sqlite');
  await expect(third.getByTestId('db-status')).toHaveText('No database');
  await expect.poll(() => editorText(third)).toBe(PETS);
  await third.getByTestId('share-file-input').setInputFiles({ name: 'pets.sqlite', mimeType: 'application/octet-stream', buffer: bytes });
  await expect(third.getByTestId('share-awaiting')).toHaveCount(0);
  await expect(third.locator('[data-testid=step-card][data-step=final][data-state=ok]').getByTestId('row-count')).toHaveText('2');
  expect(await editorText(third)).toBe(PETS);

  // A damaged link: a message, and the studio opens as usual.
  const fourth = await fresh.newPage();
  await fourth.goto(`${link.slice(0, -9)}`);
  await expect(fourth.getByRole('alert').or(fourth.locator('.error-banner')).first()).toContainText(/damaged|cannot be read/);
  await expect(fourth.getByTestId('db-status')).toContainText('chinook.sqlite');
  await fresh.close();
});
