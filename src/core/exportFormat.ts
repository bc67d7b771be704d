/** CSV (RFC 4180) and JSON renderings of a result, for downloads. */
import type { SqlValue } from './types';

function cell(v: SqlValue): string {
  if (v === null) return '';
  if (v instanceof Uint8Array) return `x'${Array.from(v, (b) => b.toString(16).padStart(2, '0')).join('')}'`;
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.split('"').join('""')}"` : s;
}

export function toCsv(columns: string[], rows: SqlValue[][]): string {
  return [columns.map(cell), ...rows.map((r) => r.map(cell))].map((r) => r.join(',')).join('\r\n') + '\r\n';
}

/** An array of objects keyed by column name; duplicate names get `:2`, `:3` suffixes; blobs become hex strings. */
export function toJson(columns: string[], rows: SqlValue[][]): string {
  const seen = new Map<string, number>();
  const keys = columns.map((c) => {
    const n = (seen.get(c) ?? 0) + 1;
    seen.set(c, n);
    return n === 1 ? c : `${c}:${n}`;
  });
  const objs = rows.map((r) => Object.fromEntries(keys.map((k, i) => [k, r[i] instanceof Uint8Array ? cell(r[i]!) : r[i]])));
  return JSON.stringify(objs, null, 2);
}
