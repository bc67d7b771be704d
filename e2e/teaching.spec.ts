import { expect, test } from '@playwright/test';
import { setEditorText, SHOTS } from './helpers';

// chinook-06: "List the titles of the albums by the artist 'Iron Maiden'." Reference: s1 joins Album and Artist and
// keeps Iron Maiden's rows; the final query returns the titles.
const WRONG = `WITH
  s1 AS (
    SELECT Album.Title AS album FROM Album JOIN Artist ON Album.ArtistId = Artist.ArtistId
  )
SELECT album FROM s1`;
const FIXED = WRONG.replace('Artist.ArtistId\n', "Artist.ArtistId WHERE Artist.Name = 'Iron Maiden'\n");

test('open an exercise by its link, write a wrong first step, read the feedback, fix it, solve it; progress survives a reload', async ({ page }) => {
  await page.goto('/?exercise=chinook-06&backend=wasm');
  await expect(page.getByTestId('exercise-question')).toContainText('Iron Maiden');
  await expect(page.getByTestId('db-status')).toContainText('chinook.sqlite');
  await expect(page.getByTestId('exercise-progress')).toHaveText('unseen');

  await setEditorText(page, WRONG);
  const first = page.getByTestId('step-card').first();
  const firstFeedback = first.getByTestId('step-feedback');
  await expect(firstFeedback).toHaveAttribute('data-kind', 'differs');
  await expect(firstFeedback).toContainText('Differs from reference step 1');
  await expect(firstFeedback).toContainText('extra rows');
  await expect(firstFeedback).toContainText('is a filter missing?');
  await expect(page.getByTestId('exercise-progress')).toHaveText('tried');
  await expect(page.getByTestId('exercise-solved')).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/teaching-01-wrong-step.png` });

  await setEditorText(page, FIXED);
  await expect(firstFeedback).toHaveAttribute('data-kind', 'match');
  await expect(firstFeedback).toContainText('Matches reference step 1');
  await expect(page.getByTestId('step-card').last().getByTestId('step-feedback')).toContainText('Same result as the reference: solved.');
  await expect(page.getByTestId('exercise-solved')).toContainText('Solved');
  await expect(page.getByTestId('exercise-progress')).toHaveText('solved');
  await page.screenshot({ path: `${SHOTS}/teaching-02-solved.png` });

  await page.reload();
  await expect(page.getByTestId('exercise-question')).toContainText('Iron Maiden');
  await expect(page.getByTestId('exercise-progress')).toHaveText('solved');
  await page.getByTestId('exercise-panel').getByRole('button', { name: 'Exercises' }).click();
  const level2 = page.getByTestId('level-2');
  await expect(level2.getByTestId('level-progress')).toContainText(/^1 \/ \d+ solved/);
  await expect(level2.locator('[data-exercise=chinook-06] .progress-dot')).toHaveAttribute('aria-label', 'solved');
  await page.screenshot({ path: `${SHOTS}/teaching-03-progress.png` });
});

test('hints reveal the next reference step; solving after one counts as solved with hints', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('db-status')).toContainText('read-only');
  await page.getByRole('button', { name: 'Exercises' }).click();
  await page.locator('[data-exercise=chinook-11]').click();
  await expect(page.getByTestId('exercise-question')).toContainText('each genre');
  await expect(page).toHaveURL(/[?&]exercise=chinook-11/);

  await page.getByRole('button', { name: 'Show hint' }).click();
  await expect(page.getByTestId('exercise-hints')).toContainText('Step 1: Join Track, Genre');
  await setEditorText(page, 'WITH s1 AS (SELECT g.Name AS genre FROM Track t JOIN Genre g ON t.GenreId = g.GenreId) SELECT genre FROM s1');
  const last = page.getByTestId('step-card').last().getByTestId('step-feedback');
  await expect(last).toContainText('Wrong grouping');
  await expect(page.getByTestId('step-card').first().getByTestId('step-feedback')).toContainText('Matches reference step 1');
  await page.getByRole('button', { name: 'Show step' }).click();
  await expect(page.getByTestId('exercise-hints')).toContainText('GROUP BY Name');

  await setEditorText(page, 'WITH s1 AS (SELECT g.Name AS genre FROM Track t JOIN Genre g ON t.GenreId = g.GenreId) SELECT genre, count(*) AS n FROM s1 GROUP BY genre');
  await expect(page.getByTestId('exercise-solved')).toContainText('Solved with hints');
  await expect(page.getByTestId('exercise-progress')).toHaveText('solved with hints');
});
