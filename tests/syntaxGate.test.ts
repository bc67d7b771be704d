import { describe, expect, it } from 'vitest';
import { IdentifierConstraint } from '../src/core/constrain';
import { SyntaxGate } from '../src/core/syntaxGate';
import type { SchemaInfo } from '../src/core/types';

const head = 'WITH\n  s1 AS (\n    SELECT *\n    FROM concert';

describe('SyntaxGate', () => {
  const gate = new SyntaxGate();

  it('accepts prefixes that valid SQL can still follow, rejects those it cannot', () => {
    expect(gate.viable(`${head} WHERE`)).toBe(true);
    expect(gate.viable(`${head} WHERE Year = 2014 OR `)).toBe(true);
    expect(gate.viable(`${head} or\n`)).toBe(false); // a finished `or` after a table
    expect(gate.viable(`${head} or`)).toBe(true); // still being written: may become ORDER
    expect(gate.viable('WITH s1 AS (SELECT a, avg(b all\n')).toBe(false);
    expect(gate.viable('WITH s1 AS (SELECT a FROM t GROUP BY a DESC ')).toBe(false);
    expect(gate.viable("WITH s1 AS (SELECT a FROM t WHERE name = 'Fra")).toBe(true); // an open string literal
    // PostgreSQL's ORDER BY x USING <op>, which the parser's SQLite grammar takes as a prefix of an endless operator.
    expect(gate.viable('WITH s1 AS (SELECT a FROM t ORDER BY a USING -//')).toBe(false);
    expect(gate.viable('WITH s1 AS (SELECT a FROM t ORDER BY (SELECT b FROM u JOIN v USING (b)) ')).toBe(true);
    expect(gate.viable('WITH s1 AS (SELECT a FROM t JOIN u USING (a) ORDER BY a ')).toBe(true);
  });

  it('rejects calls nested deeper than 3 and parentheses deeper than 6 (the parse time doubles per nested call)', () => {
    const t0 = performance.now();
    expect(gate.viable('WITH s1 AS (SELECT replace(replace(replace(a')).toBe(true);
    expect(gate.viable('WITH s1 AS (SELECT replace(replace(replace(replace(a')).toBe(false);
    expect(gate.viable(`WITH s1 AS (SELECT a FROM t ORDER By Time(${'replace('.repeat(12)}`)).toBe(false);
    expect(performance.now() - t0).toBeLessThan(5000); // was 40 s for the last one
    // A closed call no longer counts; a group's parenthesis counts towards the depth only.
    expect(gate.viable("WITH s1 AS (SELECT replace(replace(replace(a, 'x', 'y'), 'x', 'y'), 'x', lower(")).toBe(true);
    expect(gate.viable('WITH s1 AS (SELECT a FROM t WHERE ((((b = 1')).toBe(true);
    expect(gate.viable('WITH s1 AS (SELECT a FROM t WHERE ((((((b = 1')).toBe(true);
    expect(gate.viable('WITH s1 AS (SELECT a FROM t WHERE (((((((b = 1')).toBe(false);
  });

  it('requires a finished CTE body and the final statement to parse completely', () => {
    expect(gate.viable('WITH s1 AS (SELECT a FROM t WHERE)')).toBe(false);
    expect(gate.viable('WITH s1 AS (SELECT a FROM t), s2 AS (')).toBe(true);
    expect(gate.complete('WITH s1 AS (SELECT a FROM t) SELECT a FROM s1')).toBe(true);
    expect(gate.complete('WITH s1 AS (SELECT a FROM t) SELECT a FROM')).toBe(false);
    expect(gate.complete('WITH s1 AS (SELECT a FROM t)')).toBe(false);
  });

  it('judges a partial word by what it can become', () => {
    const words = { keywords: ['order', 'or', 'all'], beginsName: (w: string) => 'origin'.startsWith(w.toLowerCase()) };
    expect(gate.allows(`${head} `, 'or', words)).toBe(true); // ORDER (and the column origin)
    expect(gate.allows('WITH s1 AS (SELECT a, avg(b ', 'al', words)).toBe(false); // only ALL, which cannot stand there
    expect(gate.allows('WITH s1 AS (SELECT a, avg(b ', 'al', { ...words, beginsName: () => true })).toBe(false);
    expect(gate.allows('WITH s1 AS (SELECT a, avg(', 'or', words)).toBe(true); // the column origin
  });
});

describe('IdentifierConstraint with the syntax gate', () => {
  const col = (name: string) => ({ name, type: 'text', notNull: false, pk: 0, examples: [] });
  const schema: SchemaInfo = {
    tables: [{ name: 'singer', kind: 'table', columns: [col('Name'), col('Age'), col('Country')], primaryKey: [], foreignKeys: [], rowCount: 3 }],
  };
  const vocab = [' WHERE', ' or ', '\n', ' ORDER', ' BY', ' Age', ' upper', ' upper(', ' $x', ' AS', ' x' + 'y'.repeat(60), ' ok_name', ')', '(', ' FROM'];
  const allowed = (text: string, withGate = true) => {
    const c = new IdentifierConstraint(schema, vocab, vocab.length, withGate ? new SyntaxGate() : null, vocab.length);
    const logits = new Float32Array(vocab.length).fill(0);
    c.apply(text, logits);
    return vocab.filter((_, i) => logits[i] !== -Infinity);
  };

  it('masks tokens that make the chain unparseable', () => {
    const ok = allowed('WITH\n  s1 AS (\n    SELECT *\n    FROM singer');
    expect(ok).toContain(' WHERE');
    expect(ok).not.toContain(' or ');
    expect(allowed('WITH\n  s1 AS (\n    SELECT *\n    FROM singer', false)).toContain(' or ');
    const order = allowed('WITH s1 AS (SELECT Name FROM singer ORDER');
    expect(order).toContain(' BY');
    for (const no of [' WHERE', ' FROM', ' Age', ')']) expect(order).not.toContain(no);
  });

  it('never writes a function without its parenthesis, a bind parameter or an endless new name', () => {
    const ok = allowed('SELECT Name,');
    expect(ok).toContain(' upper(');
    expect(ok).toContain(' Age');
    expect(ok).not.toContain(' $x');
    const fn = allowed('SELECT Name, upper');
    expect(fn).toContain('(');
    expect(fn).not.toContain(' FROM'); // `upper` is not a column of this schema
    const named = allowed('SELECT Name AS');
    expect(named).toContain(' ok_name');
    expect(named).not.toContain(' x' + 'y'.repeat(60));
  });

  it('reports a syntax dead end (no token keeps the chain valid SQL) instead of masking', () => {
    const c = new IdentifierConstraint(schema, vocab, vocab.length, new SyntaxGate(), vocab.length);
    const logits = new Float32Array(vocab.length).fill(0);
    expect(c.apply('WITH s1 AS (SELECT Name FROM singer GROUP BY Name DESC', logits)).toBe(false);
    expect(c.apply('WITH s1 AS (SELECT Name FROM singer ORDER', logits)).toBe(true);
    // Without the gate there is no notion of a dead end.
    const names = new IdentifierConstraint(schema, vocab, vocab.length);
    expect(names.apply('WITH s1 AS (SELECT Name FROM singer GROUP BY Name DESC', new Float32Array(vocab.length))).toBe(true);
  });
});
