/** Schema search: the tables whose name, or some column's name, contains the search text (case-insensitive). */
import type { TableInfo } from './types';

export interface TableHit {
  table: TableInfo;
  /** The table's own name contains the text. */
  byName: boolean;
  /** Names of its columns that contain the text (empty for an empty search). */
  columns: string[];
}

/** Every table for an empty search; else the matching ones, tables matched by name first, in schema order. */
export function searchSchema(tables: readonly TableInfo[], query: string): TableHit[] {
  const q = query.trim().toLowerCase();
  if (!q) return tables.map((table) => ({ table, byName: true, columns: [] }));
  const byName: TableHit[] = [];
  const byColumn: TableHit[] = [];
  for (const table of tables) {
    const columns = table.columns.filter((c) => c.name.toLowerCase().includes(q)).map((c) => c.name);
    if (table.name.toLowerCase().includes(q)) byName.push({ table, byName: true, columns });
    else if (columns.length) byColumn.push({ table, byName: false, columns });
  }
  return [...byName, ...byColumn];
}

/** `text` split around the first occurrence of `query` (case-insensitive), for highlighting. */
export function splitMatch(text: string, query: string): [string, string, string] {
  const q = query.trim().toLowerCase();
  const at = q ? text.toLowerCase().indexOf(q) : -1;
  return at < 0 ? [text, '', ''] : [text.slice(0, at), text.slice(at, at + q.length), text.slice(at + q.length)];
}
