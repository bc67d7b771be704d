/**
 * Result equivalence as in Spider's execution accuracy: two results match when they hold the same rows as a
 * multiset, in the same order when the reference query orders its result. Numbers compare by value (1 == 1.0),
 * with a small relative tolerance for floating-point sums computed in a different order.
 */
import type { QueryOutcome, SqlValue } from './types';

/** Whether two query outcomes both ran and returned the same rows (`sameResult`). */
export function sameOutcome(a: QueryOutcome, b: QueryOutcome, ordered: boolean): boolean {
  return a.ok && b.ok && sameResult(a.result.rows, b.result.rows, ordered);
}

export function sameResult(a: SqlValue[][], b: SqlValue[][], ordered: boolean): boolean {
  if (a.length !== b.length) return false;
  if (a.length > 0 && a[0]!.length !== b[0]!.length) return false;
  if (ordered) return a.every((row, i) => sameRow(row, b[i]!));
  const ka = a.map(rowKey).sort();
  const kb = b.map(rowKey).sort();
  if (ka.every((k, i) => k === kb[i])) return true;
  // Rounding differences can change sort keys: fall back to greedy matching with tolerance.
  const used = new Array<boolean>(b.length).fill(false);
  return a.every((row) => {
    const j = b.findIndex((other, idx) => !used[idx] && sameRow(row, other));
    if (j < 0) return false;
    used[j] = true;
    return true;
  });
}

function sameRow(a: SqlValue[], b: SqlValue[]): boolean {
  return a.length === b.length && a.every((v, i) => sameValue(v, b[i]!));
}

export function sameValue(a: SqlValue, b: SqlValue): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

/** A key equal for results that `sameResult` treats as equal (exact values; order kept only when `ordered`). */
export function resultKey(rows: SqlValue[][], ordered: boolean): string {
  const keys = rows.map(rowKey);
  if (!ordered) keys.sort();
  return keys.join('\u0002');
}

function rowKey(row: SqlValue[]): string {
  return row
    .map((v) => {
      if (v === null) return 'N';
      if (typeof v === 'number') return `n${Number.isInteger(v) ? v : v.toPrecision(12)}`;
      if (v instanceof Uint8Array) return `b${Array.from(v).join(',')}`;
      return `s${v}`;
    })
    .join('\u0001');
}

/**
 * A result a wrong query often returns too: no rows, or one row holding one 0 or NULL (a count over a filter that
 * matches nothing). 9% of the dev questions have such a gold result, and about a third of the small policy's correct
 * answers are on them, so `eval` also gives EX over the other questions and `rl` trains on the other questions only.
 */
export function blankResult(rows: unknown[][]): boolean {
  return rows.length === 0 || (rows.length === 1 && rows[0]!.length === 1 && (rows[0]![0] === 0 || rows[0]![0] === null));
}
