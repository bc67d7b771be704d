import { describe, expect, it } from 'vitest';
import { chainScope } from '../src/core/queryScope';
import { lex } from '../src/core/sqlLexer';

const tables = new Map([
  ['singer', new Set(['singer_id', 'name', 'age'])],
  ['concert', new Set(['concert_id', 'year', 'singer_id'])],
]);
const KEYWORDS = new Set(['count', 'avg', 'distinct', 'and', 'desc']);
const scope = (sql: string) =>
  chainScope(
    lex(sql).filter((t) => t.kind !== 'space' && t.kind !== 'comment'),
    tables,
    (w) => KEYWORDS.has(w),
  );

describe('chainScope', () => {
  it('gives each finished CTE its output columns (AS names, qualified columns, * of its sources)', () => {
    const s = scope('WITH s1 AS (SELECT T1.name, count(*) AS count_all FROM singer AS T1 GROUP BY T1.name), s2 AS (SELECT * FROM s1), s3 AS (SELECT');
    expect([...s.ctes.get('s1')!]).toEqual(['name', 'count_all']);
    expect([...s.ctes.get('s2')!]).toEqual(['name', 'count_all']);
    expect(s.ctes.has('s3')).toBe(false);
    expect(s.frames).toHaveLength(1);
    expect(s.frames[0]!.phase).toBe('select');
  });

  it('takes the first SELECT of a compound for the output names', () => {
    const s = scope('WITH s1 AS (SELECT name FROM singer UNION SELECT year FROM concert) SELECT');
    expect([...s.ctes.get('s1')!]).toEqual(['name']);
  });

  it('tracks the clause, sources, aliases and the select list of the SELECT being written', () => {
    const f = scope('SELECT T1.name, avg(age) AS avg_age FROM singer AS T1 JOIN concert T2 ON T1.singer_id = T2.singer_id WHERE').frames[0]!;
    expect(f.phase).toBe('after');
    expect(f.sources.map((x) => [x.name, x.alias])).toEqual([
      ['singer', 't1'],
      ['concert', 't2'],
    ]);
    expect([...f.bare]).toEqual(['age']);
    expect([...f.outputs]).toEqual(['avg_age']);
    expect([...f.qualified.get('t1')!]).toEqual(['name', 'singer_id']);
  });

  it('opens a frame for a subquery and an unknown source for a derived table', () => {
    const s = scope('SELECT name FROM singer WHERE singer_id IN (SELECT singer_id FROM concert WHERE');
    expect(s.frames.map((f) => f.sources[0]!.name)).toEqual(['singer', 'concert']);
    expect(s.frames[1]!.phase).toBe('after');
    const d = scope('SELECT x FROM (SELECT name AS x FROM singer) AS sub WHERE').frames[0]!;
    expect(d.sources).toHaveLength(1);
    expect(d.sources[0]!.columns).toBeNull();
  });
});
