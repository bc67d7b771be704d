import { describe, expect, it } from 'vitest';
import { normalizeTrajectory, parseCoCTE, printCoCTE, stepPrefixSql } from '../src/core/cocte';
import { decomposeSql } from '../src/core/decompose';
import type { Trajectory } from '../src/core/types';
import sample from './fixtures/spider-dev-sample.json';

const chain: Trajectory = {
  steps: [
    { name: 's1', sql: 'SELECT name, age\nFROM singer\nWHERE age > 30', note: 'Singers over 30' },
    { name: 's2', sql: "SELECT count(*) AS n FROM s1 WHERE name LIKE 'A%'", note: 'Count names starting with A' },
  ],
  final: { sql: 'SELECT n FROM s2', note: 'Return the count' },
};

describe('CoCTE text', () => {
  it('prints canonical text', () => {
    expect(printCoCTE(chain)).toBe(
      [
        'WITH',
        '  -- Singers over 30',
        '  s1 AS (',
        '    SELECT name, age',
        '    FROM singer',
        '    WHERE age > 30',
        '  ),',
        '  -- Count names starting with A',
        '  s2 AS (',
        "    SELECT count(*) AS n FROM s1 WHERE name LIKE 'A%'",
        '  )',
        '-- Return the count',
        'SELECT n FROM s2',
      ].join('\n'),
    );
  });

  it('round-trips losslessly', () => {
    const text = printCoCTE(chain);
    expect(parseCoCTE(text).trajectory).toEqual(chain);
    expect(printCoCTE(parseCoCTE(text).trajectory)).toBe(text);
  });

  it('round-trips every decomposed Spider fixture query', () => {
    for (const ex of sample) {
      const t = normalizeTrajectory(decomposeSql(ex.query));
      const text = printCoCTE(t);
      expect(parseCoCTE(text).trajectory).toEqual(t);
      expect(printCoCTE(parseCoCTE(text).trajectory)).toBe(text);
    }
  });

  it('keeps literals with line breaks, quoted names, column lists, RECURSIVE and MATERIALIZED', () => {
    const t: Trajectory = {
      recursive: true,
      steps: [
        { name: 'r', columns: 'x', sql: 'SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < 3', note: '' },
        { name: '"odd name"', materialized: 'MATERIALIZED', sql: "SELECT 'a\n  b' AS s, x FROM r", note: 'multi-line literal' },
      ],
      final: { sql: 'SELECT * FROM "odd name"', note: '' },
    };
    const text = printCoCTE(t);
    expect(text).toContain("SELECT 'a\n  b' AS s");
    expect(parseCoCTE(text).trajectory).toEqual(t);
  });

  it('indents a step with a line break inside a literal everywhere but inside the literal', () => {
    const t: Trajectory = {
      steps: [{ name: 's1', sql: 'SELECT "line\nbreak", \'a\n  b\' AS s\nFROM "weird""quote"\nWHERE x > 1', note: '' }],
      final: { sql: 'SELECT "line\nbreak"\nFROM s1', note: '' },
    };
    const text = printCoCTE(t);
    expect(text).toBe(['WITH', '  s1 AS (', '    SELECT "line', 'break", \'a', '  b\' AS s', '    FROM "weird""quote"', '    WHERE x > 1', '  )', 'SELECT "line', 'break"', 'FROM s1'].join('\n'));
    expect(parseCoCTE(text).trajectory).toEqual(t);
    expect(printCoCTE(parseCoCTE(text).trajectory)).toBe(text);
  });

  it('drops every semicolon that ends a query, so printing what was parsed is a fixed point', () => {
    for (const text of ['  SELECT * FROM t ORDER BY x  ;; ;  ', 'WITH\n  s1 AS (\n    SELECT 1;;\n  )\nSELECT * FROM s1;\n;']) {
      const once = printCoCTE(parseCoCTE(text).trajectory);
      expect(once).not.toMatch(/;\s*$/);
      expect(printCoCTE(parseCoCTE(once).trajectory)).toBe(once);
    }
  });

  it('parses hand-written text with comments, semicolons and odd spacing', () => {
    const text = `-- top\nwith a as(select 1 as x),\n -- second\n b as ( select x+1 as y from a )\n-- last\nselect * from b;`;
    const { trajectory, warning } = parseCoCTE(text);
    expect(warning).toBeUndefined();
    expect(trajectory.steps.map((s) => s.name)).toEqual(['a', 'b']);
    expect(trajectory.steps[1]!.note).toBe('second');
    expect(trajectory.steps[1]!.sql).toBe('select x+1 as y from a');
    expect(trajectory.final).toEqual({ sql: 'select * from b', note: 'last' });
  });

  it('never throws on half-typed text: what cannot be split becomes the final query', () => {
    for (const text of ['WITH s1 AS (SELECT 1', 'WITH', 'WITH s1 (', '', 'SELECT (', "WITH s1 AS (SELECT ')' ) SELECT 1"]) {
      const r = parseCoCTE(text);
      expect(r.trajectory).toBeDefined();
    }
    expect(parseCoCTE('WITH s1 AS (SELECT 1').warning).toMatch(/unbalanced/);
    expect(parseCoCTE("WITH s1 AS (SELECT ')' ) SELECT 1").trajectory.steps[0]!.sql).toBe("SELECT ')'");
  });

  it('builds the SQL that shows one step on its own', () => {
    expect(stepPrefixSql(chain, 0)).toBe('WITH\n  s1 AS (\n    SELECT name, age\n    FROM singer\n    WHERE age > 30\n  )\nSELECT * FROM s1');
    expect(stepPrefixSql(chain, 2)).toContain('SELECT n FROM s2');
    expect(stepPrefixSql(chain, 2)).not.toContain('--');
  });
});
