import type { SqlValue } from '../core/types';

/** A cell as text: NULL, blobs as their size, long text shortened. */
export function formatValue(v: SqlValue, max = 80): string {
  if (v === null) return 'NULL';
  if (v instanceof Uint8Array) return `<blob ${v.byteLength} B>`;
  const s = String(v);
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}
