/** Sorting a result by one column and copying its cells and rows as text. Pure: no DOM. */
import type { SqlValue } from './types';

export type SortDir = 'asc' | 'desc';

/** SQLite's order of values: NULL, then numbers, then text, then blobs (text and blobs compared bytewise-like). */
export function compareValues(a: SqlValue, b: SqlValue): number {
  const rank = (v: SqlValue) => (v === null ? 0 : typeof v === 'number' ? 1 : typeof v === 'string' ? 2 : 3);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 1) return (a as number) - (b as number);
  if (ra === 2) return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
  if (ra === 3) {
    const x = a as Uint8Array;
    const y = b as Uint8Array;
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return x.length - y.length;
  }
  return 0;
}

/** Row indices in the order of column `col` (stable: equal values keep their order); identity when `col` is null. */
export function sortedOrder(rows: readonly SqlValue[][], col: number | null, dir: SortDir): number[] {
  const order = rows.map((_, i) => i);
  if (col === null) return order;
  const sign = dir === 'asc' ? 1 : -1;
  return order.sort((i, j) => sign * compareValues(rows[i]![col]!, rows[j]![col]!) || i - j);
}

/** The next sort of a header click: ascending, then descending, then the query's own order. */
export function nextSort(current: { col: number; dir: SortDir } | null, col: number): { col: number; dir: SortDir } | null {
  if (!current || current.col !== col) return { col, dir: 'asc' };
  return current.dir === 'asc' ? { col, dir: 'desc' } : null;
}

/** A value as copied: NULL empty, numbers and text as they are, blobs as hex (`x'0a1b'`). */
export function copyText(v: SqlValue): string {
  if (v === null) return '';
  if (v instanceof Uint8Array) return `x'${Array.from(v, (b) => b.toString(16).padStart(2, '0')).join('')}'`;
  return String(v);
}

/** Rows as tab-separated lines (tabs and line breaks inside a value become spaces), with a header line when given. */
export function toTsv(rows: readonly SqlValue[][], columns?: readonly string[]): string {
  const line = (vs: readonly string[]) => vs.map((s) => s.replace(/[\t\r\n]+/g, ' ')).join('\t');
  return [...(columns ? [line(columns)] : []), ...rows.map((r) => line(r.map(copyText)))].join('\n');
}
