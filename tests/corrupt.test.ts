import { describe, expect, it } from 'vitest';
import { corruptionSites, corruptStep, type CorruptionKind } from '../src/core/corrupt';
import type { SchemaInfo } from '../src/core/types';

const schema = {
  tables: [{ name: 't', columns: [{ name: 'a', type: 'int', examples: [] }, { name: 'b', type: 'text', examples: ['x', 'y'] }] }],
} as unknown as SchemaInfo;

/** Every distinct corruption of one kind (tries every site and replacement through a stepping random source). */
function all(sql: string, kind: CorruptionKind): string[] {
  const out = new Set<string>();
  for (let k = 0; k < 40; k++) {
    let r = k / 40;
    const c = corruptStep(sql, schema, () => ((r += 0.173) % 1), kind);
    if (c) out.add(c.sql.replace(/\s+/g, ' ').trim());
  }
  return [...out].sort();
}

describe('corrupted steps', () => {
  const q = "SELECT DISTINCT a FROM t WHERE a > 3 AND b = 'x' ORDER BY a DESC LIMIT 3";

  it('swaps columns, comparisons, literals and sort orders', () => {
    const kinds = new Set(corruptionSites(q, schema).map((s) => s.kind));
    for (const k of ['column', 'comparison', 'literal', 'order', 'limit'] as const) expect(kinds.has(k)).toBe(true);
    expect(all(q, 'literal')).toContain("SELECT DISTINCT a FROM t WHERE a > 3 AND b = 'y' ORDER BY a DESC LIMIT 3");
  });

  it('drops DISTINCT, ORDER BY and LIMIT', () => {
    expect(all(q, 'distinct')).toEqual(["SELECT a FROM t WHERE a > 3 AND b = 'x' ORDER BY a DESC LIMIT 3"]);
    expect(all(q, 'sort')).toEqual(["SELECT DISTINCT a FROM t WHERE a > 3 AND b = 'x' LIMIT 3"]);
    expect(all(q, 'nolimit')).toEqual(["SELECT DISTINCT a FROM t WHERE a > 3 AND b = 'x' ORDER BY a DESC"]);
  });

  it('drops the WHERE clause or one AND-ed condition, never half of a BETWEEN', () => {
    expect(all(q, 'condition')).toEqual(['SELECT DISTINCT a FROM t ORDER BY a DESC LIMIT 3', 'SELECT DISTINCT a FROM t WHERE a > 3 ORDER BY a DESC LIMIT 3']);
    expect(all("SELECT a FROM t WHERE a BETWEEN 1 AND 5 AND b LIKE 'x%' GROUP BY a", 'condition')).toEqual([
      'SELECT a FROM t GROUP BY a',
      'SELECT a FROM t WHERE a BETWEEN 1 AND 5 GROUP BY a',
    ]);
  });

  it('keeps a drop inside its subquery', () => {
    expect(all("SELECT a FROM t WHERE a IN (SELECT a FROM t WHERE b = 'y' ORDER BY a LIMIT 1) ORDER BY b", 'nolimit')).toEqual([
      "SELECT a FROM t WHERE a IN (SELECT a FROM t WHERE b = 'y' ORDER BY a ) ORDER BY b",
    ]);
  });
});
