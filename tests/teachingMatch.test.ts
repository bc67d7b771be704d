import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import initSqlJs from 'sql.js';
import { parseCoCTE, printCoCTE, stepPrefixSql } from '../src/core/cocte';
import { decomposeSql } from '../src/core/decompose';
import { assessChain, type RanStep } from '../src/core/teaching/practice';
import { diffResult, matchColumns } from '../src/core/teaching/stepMatch';
import { SqlJsEngine } from '../src/workers/sqljsEngine';

let chinook: SqlJsEngine;
beforeAll(async () => {
  chinook = new SqlJsEngine(await initSqlJs());
  chinook.open(new Uint8Array(readFileSync('public/samples/chinook.sqlite')));
});

const rows = (sql: string) => {
  const o = chinook.query(sql, 10_000);
  if (!o.ok) throw new Error(o.error);
  return { columns: o.result.columns, rows: o.result.rows };
};
const count = (sql: string) => rows(sql).rows.length;

/** Every step of a chain as the studio runs it: its own SQL and the outcome of its prefix. */
function ran(text: string): RanStep[] {
  const t = parseCoCTE(text).trajectory;
  return [...t.steps.map((s) => s.sql), t.final.sql].map((sql, i) => ({ sql, outcome: chinook.query(stepPrefixSql(t, i), 10_000) }));
}

describe('step matcher', () => {
  it('matches equal rows with renamed and reordered columns', () => {
    const ref = rows('SELECT GenreId, count(*) AS n FROM Track GROUP BY GenreId');
    const mine = rows('SELECT count(*) AS how_many, GenreId AS genre FROM Track GROUP BY GenreId');
    expect(matchColumns(mine, ref, false)).toEqual([1, 0]);
    expect(matchColumns(rows('SELECT GenreId, count(*) + 1 FROM Track GROUP BY GenreId'), ref, false)).toBeNull();
  });

  it('tells apart columns holding the same values only by the rows they make', () => {
    const ref = rows('SELECT ArtistId AS a, AlbumId AS b FROM Album WHERE AlbumId <= 3');
    expect(matchColumns(rows('SELECT AlbumId, ArtistId FROM Album WHERE AlbumId <= 3'), ref, false)).toEqual([1, 0]);
  });

  it('keeps the row order only when asked', () => {
    const ref = rows('SELECT GenreId FROM Genre ORDER BY GenreId');
    const mine = rows('SELECT GenreId AS id FROM Genre ORDER BY GenreId DESC');
    expect(matchColumns(mine, ref, false)).toEqual([0]);
    expect(matchColumns(mine, ref, true)).toBeNull();
  });

  it('a missing filter shows the extra rows, with examples', () => {
    const ref = rows('SELECT TrackId, Name FROM Track WHERE GenreId = 1');
    const mine = rows('SELECT Name AS track, TrackId FROM Track');
    const d = diffResult(mine, ref);
    expect(d.missingColumns).toEqual([]);
    expect(d.extraColumns).toEqual([]);
    expect(d.missingRows.count).toBe(0);
    expect(d.extraRows.count).toBe(count('SELECT * FROM Track WHERE GenreId <> 1'));
    expect(d.extraRows.examples).toHaveLength(3);
    // Examples come in the reference's column order: (TrackId, Name).
    expect(typeof d.extraRows.examples[0]![0]).toBe('number');
    expect(d.grouping).toBeNull();
  });

  it('reports a wrong grouping: another number of groups', () => {
    const ref = rows('SELECT AlbumId, count(*) FROM Track GROUP BY AlbumId');
    const mine = rows('SELECT GenreId, count(*) FROM Track GROUP BY GenreId');
    const d = diffResult(mine, ref, { learner: true, reference: true, inStep: true });
    expect(d.grouping).toEqual({ learnerGroups: count('SELECT DISTINCT GenreId FROM Track'), referenceGroups: count('SELECT DISTINCT AlbumId FROM Track') });
    expect(diffResult(rows('SELECT AlbumId FROM Track'), ref, { learner: false, reference: true, inStep: false }).grouping).toEqual({ learnerGroups: null, referenceGroups: ref.rows.length });
  });

  it('reports a missing column, an extra column and duplicates', () => {
    const ref = rows('SELECT DISTINCT Country FROM Customer');
    const mine = rows('SELECT Country FROM Customer');
    const d = diffResult(mine, ref);
    expect(d.duplicates).toMatchObject({ learnerRows: 59, referenceRows: ref.rows.length });
    expect(d.duplicates!.examples.length).toBeGreaterThan(0);
    const d2 = diffResult(rows('SELECT GenreId FROM Genre'), rows('SELECT GenreId, Name FROM Genre'));
    expect(d2.missingColumns).toEqual(['Name']);
    expect(d2.missingRows.count).toBe(0);
    const d3 = diffResult(rows('SELECT GenreId, Name, GenreId * 7 AS x FROM Genre'), rows('SELECT GenreId, Name FROM Genre'));
    expect(d3.extraColumns).toEqual(['x']);
  });
});

describe('assessChain', () => {
  const query = 'SELECT g.Name, count(*) FROM Track t JOIN Genre g ON t.GenreId = g.GenreId WHERE t.Milliseconds > 300000 GROUP BY g.Name';
  let reference: RanStep[];
  beforeAll(() => {
    reference = ran(printCoCTE(decomposeSql(query, chinook.schema())));
  });

  it('a different route with renamed columns solves the exercise', () => {
    const mine = ran(`WITH long AS (SELECT GenreId FROM Track WHERE Milliseconds > 300000),
      per_genre AS (SELECT GenreId, count(*) AS n FROM long GROUP BY GenreId)
      SELECT n AS tracks, Genre.Name AS genre FROM per_genre JOIN Genre ON per_genre.GenreId = Genre.GenreId`);
    const a = assessChain(mine, reference, false);
    expect(a.steps.at(-1)).toMatchObject({ kind: 'match', ref: reference.length - 1 });
    expect(a.steps.at(-1)!.text[0]).toMatch(/solved/);
    expect(a.solved).toBe(true);
    expect(a.reached).toBe(reference.length);
  });

  it('the reference chain itself matches step for step', () => {
    const a = assessChain(reference, reference, false);
    expect(a.steps.map((s) => s.kind === 'match' && s.ref)).toEqual(reference.map((_, k) => k));
  });

  it('a step without the filter gets the extra rows in its feedback, and the exercise is not solved', () => {
    const a = assessChain(ran('WITH s1 AS (SELECT g.Name FROM Track t JOIN Genre g ON t.GenreId = g.GenreId) SELECT Name, count(*) FROM s1 GROUP BY Name'), reference, false);
    expect(a.steps[0]).toMatchObject({ kind: 'differs', ref: 0 });
    expect(a.steps[0]!.text.join(' ')).toMatch(/extra rows/);
    expect(a.solved).toBe(false);
    expect(a.reached).toBe(0);
  });

  it('a final query that does not group says so', () => {
    const a = assessChain(ran('WITH s1 AS (SELECT g.Name FROM Track t JOIN Genre g ON t.GenreId = g.GenreId WHERE t.Milliseconds > 300000) SELECT DISTINCT Name FROM s1'), reference, false);
    expect(a.steps[0]).toMatchObject({ kind: 'match', ref: 0 });
    expect(a.steps[1]!.text.join(' ')).toMatch(/Wrong grouping: the reference's final query has grouped rows/);
    expect(a.steps[1]!.text.join(' ')).toMatch(/Column missing/);
  });

  it('an answer in another order than the question asks is told so', () => {
    const ordered = ran(printCoCTE(decomposeSql('SELECT Name FROM Genre ORDER BY Name', chinook.schema())));
    const a = assessChain(ran('SELECT Name FROM Genre ORDER BY Name DESC'), ordered, true);
    expect(a.solved).toBe(false);
    expect(a.steps.at(-1)!.text[0]).toMatch(/in another order/);
  });

  it('a failing step gets no feedback (its card shows the error)', () => {
    const a = assessChain(ran('WITH s1 AS (SELECT nope FROM Track) SELECT * FROM s1'), reference, false);
    expect(a.steps[0]).toEqual({ kind: 'none', text: [] });
  });
});

describe('wrong columns', () => {
  it('a column in the place of a reference column with other values is reported with examples of both', () => {
    const d = diffResult(rows('SELECT GenreId, count(*) AS n FROM Track GROUP BY GenreId'), rows('SELECT g.Name, count(*) AS n FROM Track t JOIN Genre g ON t.GenreId = g.GenreId GROUP BY g.GenreId'));
    expect(d.wrongColumns).toMatchObject([{ learner: 'GenreId', reference: 'Name' }]);
    expect(d.wrongColumns[0]!.learnerExamples.length).toBeGreaterThan(0);
    expect(d.wrongColumns[0]!.referenceExamples.length).toBeGreaterThan(0);
    expect(d.missingColumns).toEqual([]);
    expect(d.extraColumns).toEqual([]);
    expect(d.missingRows.count + d.extraRows.count).toBe(0);
  });
});
