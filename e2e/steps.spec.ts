import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import initSqlJs from 'sql.js';
import { stepPrefixSql } from '../src/core/cocte';
import { decomposeSql } from '../src/core/decompose';
import { openStudio, setEditorText, SHOTS, stepCounts } from './helpers';

const QUERY =
  'SELECT g.Name, count(*) AS n FROM Track t JOIN Genre g ON t.GenreId = g.GenreId WHERE t.Milliseconds > (SELECT avg(Milliseconds) FROM Track) GROUP BY g.Name ORDER BY n DESC';

/** Row counts computed here, in Node, with sql.js on the same file: the original query and each step on its own. */
async function expectedCounts() {
  const SQL = await initSqlJs();
  const db = new SQL.Database(readFileSync('public/samples/chinook.sqlite'));
  const count = (sql: string) => db.exec(`SELECT count(*) FROM (${sql})`)[0]!.values[0]![0] as number;
  const t = decomposeSql(QUERY);
  return { original: count(QUERY), steps: Array.from({ length: t.steps.length + 1 }, (_, i) => count(stepPrefixSql(t, i))) };
}

test('paste a query with a subquery and GROUP BY, Decompose, see step cards with the right row counts', async ({ page }) => {
  await openStudio(page);
  await setEditorText(page, QUERY);
  await expect(page.getByTestId('step-card')).toHaveCount(1);
  await page.getByRole('button', { name: 'Decompose' }).click();
  const exp = await expectedCounts();
  await expect(page.getByTestId('step-card')).toHaveCount(exp.steps.length);
  expect(exp.steps.length).toBeGreaterThanOrEqual(3);
  await expect(page.locator('[data-testid=step-card][data-state=pending]')).toHaveCount(0);
  expect(await stepCounts(page)).toEqual(exp.steps.map((n) => n.toLocaleString('en-US')));
  expect(exp.steps.at(-1)).toBe(exp.original);
  await expect(page.getByTestId('result-count')).toContainText(`${exp.original} rows`);
  await expect(page.locator('.monaco-editor')).toContainText('WITH');
  await page.screenshot({ path: `${SHOTS}/02-decomposed.png` });
});

test('editing one step in Monaco re-runs that step and the ones after it; earlier steps come from the cache', async ({ page }) => {
  await openStudio(page);
  const cards = page.getByTestId('step-card');
  const n = await cards.count();
  // The default Chinook chain keeps groups with count(*) > 10 in its HAVING step.
  const having = cards.filter({ hasText: 'Keep groups where' });
  const before = await having.getByTestId('row-count').innerText();
  const text = await page.evaluate(() => (window as unknown as { __cocteEditor: { getValue(): string } }).__cocteEditor.getValue());
  expect(text).toContain('count_all > 10');
  await page.locator('.monaco-editor').click();
  await setEditorText(page, text.replace('count_all > 10', 'count_all > 50'));
  await expect(having.getByTestId('row-count')).not.toHaveText(before);
  await expect(having.getByTestId('row-count')).toHaveText('4');
  await expect(having.getByTestId('run-kind')).toHaveText('ran');
  await expect(cards.first().getByTestId('run-kind')).toHaveText('cached');
  await expect(cards).toHaveCount(n);
  await expect(page.getByTestId('result-count')).toContainText('4 rows');
  await page.screenshot({ path: `${SHOTS}/03-edited-step.png` });
});

test('typing in the editor (Ctrl+Enter) runs the chain', async ({ page }) => {
  await openStudio(page);
  await setEditorText(page, 'SELECT 1');
  await page.locator('.monaco-editor').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('SELECT Name FROM Artist WHERE Name LIKE \'A%\'');
  await page.keyboard.press('Control+Enter');
  await expect(page.getByTestId('result-count')).toContainText('26 rows');
});

test('a step that fails shows the SQLite error on that step only', async ({ page }) => {
  await openStudio(page);
  await setEditorText(page, 'WITH s1 AS (SELECT * FROM Genre), s2 AS (SELECT nope FROM s1) SELECT * FROM s2');
  const cards = page.getByTestId('step-card');
  await expect(cards).toHaveCount(3);
  await expect(cards.nth(0)).toHaveAttribute('data-state', 'ok');
  await expect(cards.nth(1).getByTestId('step-error')).toContainText('no such column: nope');
});
