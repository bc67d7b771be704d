import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { openStudio, setEditorText, SHOTS } from './helpers';

test('a non-SQLite file and a truncated database get clear errors; the open database keeps working', async ({ page }) => {
  await openStudio(page);
  await page.getByTestId('file-input').setInputFiles({ name: 'notes.sqlite', mimeType: 'application/octet-stream', buffer: Buffer.from('this is not a database at all, just text\n'.repeat(40)) });
  await expect(page.getByRole('alert').first()).toContainText('not a SQLite database');
  await expect(page.getByRole('alert').first()).toContainText('chinook.sqlite is still open');
  await page.screenshot({ path: `${SHOTS}/04-not-sqlite.png` });

  const real = readFileSync('public/samples/chinook.sqlite');
  await page.getByTestId('file-input').setInputFiles({ name: 'cut.sqlite', mimeType: 'application/octet-stream', buffer: real.subarray(0, 200_000) });
  await expect(page.locator('.error-banner')).toContainText('truncated');

  const garbled = Buffer.from(real);
  for (let i = 4096; i < garbled.length; i += 7) garbled[i] = (garbled[i]! * 31 + 7) & 0xff;
  await page.getByTestId('file-input').setInputFiles({ name: 'garbled.sqlite', mimeType: 'application/octet-stream', buffer: garbled });
  await expect(page.locator('.error-banner')).toContainText(/corrupt|malformed/);

  await expect(page.getByTestId('db-status')).toContainText('chinook.sqlite');
  await setEditorText(page, 'SELECT count(*) AS n FROM Track');
  await expect(page.locator('[data-testid=step-card]').last().getByTestId('row-count')).toHaveText('1');
  await expect(page.getByTestId('result-grid')).toContainText('3503');
});

/**
 * Puts `sql` in the editor and times, in the page, how long until a step says it was cancelled (the edit's 400 ms
 * debounce included), and the longest the page's main thread went without running a timer meanwhile.
 */
async function cancelTiming(page: Page, sql: string): Promise<{ ms: number; stallMs: number }> {
  return page.evaluate(
    (text) =>
      new Promise<{ ms: number; stallMs: number }>((resolve) => {
        const t0 = performance.now();
        let last = t0;
        let stallMs = 0;
        const tick = setInterval(() => {
          stallMs = Math.max(stallMs, performance.now() - last);
          last = performance.now();
        }, 20);
        const obs = new MutationObserver(() => {
          if (![...document.querySelectorAll('[data-testid=step-error]')].some((e) => e.textContent?.includes('Cancelled after'))) return;
          obs.disconnect();
          clearInterval(tick);
          resolve({ ms: performance.now() - t0, stallMs });
        });
        obs.observe(document.body, { subtree: true, childList: true, characterData: true });
        (window as unknown as { __cocteEditor: { setValue(v: string): void } }).__cocteEditor.setValue(text);
      }),
    sql,
  );
}

test('runaway queries (an endless recursive CTE, a cartesian join) are cancelled within 2 s of the timeout; the page never freezes; the database comes back intact', async ({ page }) => {
  const timeoutMs = 1500;
  const debounceMs = 400;
  await openStudio(page, `?timeoutMs=${timeoutMs}`);
  const recursive = await cancelTiming(page, 'WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT count(*) FROM r');
  await expect(page.getByTestId('step-error').first()).toContainText('Cancelled after 1.5 s');
  await expect(page.getByTestId('step-error').last()).toContainText('Not run: step r was cancelled.');
  await page.screenshot({ path: `${SHOTS}/05-timeout.png` });
  await setEditorText(page, 'SELECT count(*) FROM Track JOIN Genre USING (GenreId)');
  await expect(page.getByTestId('result-grid')).toContainText('3503');

  // 3,503³ rows: about 4.3 × 10¹⁰.
  const cartesian = await cancelTiming(page, 'SELECT count(*) FROM Track AS a, Track AS b, Track AS c');
  await expect(page.getByTestId('step-error').last()).toContainText('Cancelled after 1.5 s. The database was reloaded intact');
  await setEditorText(page, 'SELECT count(*) AS n FROM Genre');
  await expect(page.getByTestId('result-grid')).toContainText('25');

  for (const t of [recursive, cartesian]) {
    expect(t.ms - debounceMs).toBeGreaterThanOrEqual(timeoutMs);
    expect(t.ms - debounceMs).toBeLessThanOrEqual(timeoutMs + 2000);
    expect(t.stallMs).toBeLessThan(500);
  }
  test.info().annotations.push({ type: 'cancelled after', description: `recursive CTE ${(recursive.ms - debounceMs).toFixed(0)} ms, cartesian join ${(cartesian.ms - debounceMs).toFixed(0)} ms (timeout ${timeoutMs} ms); main thread stalled at most ${Math.max(recursive.stallMs, cartesian.stallMs).toFixed(0)} ms` });
});

test('writes are refused: the database is read-only', async ({ page }) => {
  await openStudio(page);
  await setEditorText(page, 'DELETE FROM Track');
  await expect(page.getByTestId('step-error').last()).toContainText('Only read queries run here');
  await setEditorText(page, 'WITH x AS (SELECT 1) INSERT INTO Genre(Name) SELECT * FROM x');
  await expect(page.getByTestId('step-error').last()).toContainText(/readonly|read-only/);
  await setEditorText(page, 'SELECT count(*) FROM Genre');
  await expect(page.getByTestId('result-grid')).toContainText('25');
});

test('CSV and JSON export download the step result', async ({ page }) => {
  await openStudio(page);
  const first = page.getByTestId('step-card').first();
  const [csv] = await Promise.all([page.waitForEvent('download'), first.getByRole('button', { name: 'CSV' }).click()]);
  expect(csv.suggestedFilename()).toBe('s1.csv');
  const body = readFileSync((await csv.path())!, 'utf8');
  expect(body.split('\r\n')[0]).toBe('avg(Milliseconds)');
  expect(Number(body.split('\r\n')[1])).toBeCloseTo(393599.2121, 3);
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
  const rows = JSON.parse(readFileSync((await json.path())!, 'utf8'));
  expect(rows).toHaveLength(5);
  expect(rows[0]).toEqual({ genre: 'Rock', tracks: 135 });
});

test('every bundled sample opens', async ({ page }) => {
  for (const id of ['northwind', 'concert_singer', 'pets_1', 'world_1', 'chinook']) {
    await openStudio(page, `?sample=${id}`);
    await expect(page.getByTestId('step-card').last()).toHaveAttribute('data-state', 'ok');
  }
});
