/**
 * Schema linking: which tables and columns a question mentions, by name (word overlap with light stemming) and by
 * value (an example value or a quoted string of the question found in a column). A tiny model cannot read a large
 * schema, so the prompt keeps the linked tables plus the tables that join them (foreign keys).
 */
import type { SchemaInfo, TableInfo } from './types';

export interface SchemaLink {
  /** Kept tables, in schema order. */
  tables: string[];
  /** Linked columns as `table.column`, lower-cased. */
  columns: Set<string>;
  /** Table name (lower-case) -> score. */
  tableScores: Map<string, number>;
}

export function words(text: string): string[] {
  return text
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .map(stem);
}

export function stem(w: string): string {
  if (w.length > 4 && w.endsWith('ies')) return w.slice(0, -3) + 'y';
  if (w.length > 4 && /(ses|xes|ches|shes)$/.test(w)) return w.slice(0, -2);
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) return w.slice(0, -1);
  return w;
}

const STOP = new Set(['id', 'the', 'of', 'a', 'an', 'in', 'and', 'name', 'to', 'for', 'by', 'number', 'type', 'code']);

function nameScore(name: string, q: Set<string>, qText: string): number {
  const ws = words(name);
  if (ws.length === 0) return 0;
  const hit = ws.filter((w) => q.has(w)).length;
  const meaningful = ws.filter((w) => !STOP.has(w) && q.has(w)).length;
  if (hit === ws.length && meaningful > 0) return 2;
  if (qText.includes(ws.join(' ')) && ws.join(' ').length > 3) return 2;
  return meaningful > 0 ? meaningful / ws.length : 0;
}

export function linkSchema(question: string, schema: SchemaInfo, maxTables = 8): SchemaLink {
  const qWords = new Set(words(question));
  const qText = words(question).join(' ');
  const qLower = question.toLowerCase();
  const quoted = [...question.matchAll(/["'“‘]([^"'”’]+)["'”’]/g)].map((m) => m[1]!.toLowerCase());
  const columns = new Set<string>();
  const tableScores = new Map<string, number>();
  for (const t of schema.tables) {
    let score = nameScore(t.name, qWords, qText) * 2;
    for (const c of t.columns) {
      let cs = nameScore(c.name, qWords, qText);
      for (const v of c.examples) {
        if (typeof v !== 'string' || v.length < 3) continue;
        const lv = v.toLowerCase();
        if (qLower.includes(lv) || quoted.includes(lv)) cs = Math.max(cs, 2);
      }
      if (cs >= 1) columns.add(`${t.name}.${c.name}`.toLowerCase());
      score += cs >= 1 ? cs : cs / 2;
    }
    tableScores.set(t.name.toLowerCase(), score);
  }
  const ranked = [...schema.tables].sort((a, b) => tableScores.get(b.name.toLowerCase())! - tableScores.get(a.name.toLowerCase())!);
  let kept = ranked.filter((t) => tableScores.get(t.name.toLowerCase())! >= 1).slice(0, maxTables);
  if (kept.length === 0) kept = ranked.slice(0, Math.min(maxTables, schema.tables.length));
  kept = withBridges(kept, schema, maxTables);
  const keep = new Set(kept.map((t) => t.name));
  return { tables: schema.tables.filter((t) => keep.has(t.name)).map((t) => t.name), columns, tableScores };
}

/** Adds tables whose foreign keys connect two kept tables (so joins can be written). */
function withBridges(kept: TableInfo[], schema: SchemaInfo, maxTables: number): TableInfo[] {
  const names = new Set(kept.map((t) => t.name.toLowerCase()));
  const out = [...kept];
  for (const t of schema.tables) {
    if (names.has(t.name.toLowerCase()) || out.length >= maxTables) continue;
    const targets = new Set(t.foreignKeys.map((f) => f.table.toLowerCase()).filter((x) => names.has(x)));
    if (targets.size >= 2) {
      out.push(t);
      names.add(t.name.toLowerCase());
    }
  }
  return out;
}
