/**
 * Schema linking: which tables and columns a question mentions
 * - by name: word overlap with light stemming (`name`);
 * - by value: an example value or a quoted string of the question found in a column, or a column the database
 *   shows holds a value the question says (`value`, src/core/valueLink.ts);
 * - by meaning: every content word of the name is said in other words, a lemma, WordNet synonym or near concept, or
 *   the name abbreviates it (`vocalists` -> singer, `how old` -> age, `department` -> dept_no; `meaning`,
 *   src/core/lexicon/meaning.ts).
 * A tiny model cannot read a large schema, so the prompt keeps the linked tables plus the tables that join them
 * (foreign keys), and marks each linked column with the kind of its link (src/core/prompt.ts).
 */
import { relate, type Relation } from './lexicon/meaning';
import type { SchemaInfo, TableInfo } from './types';

export type LinkKind = 'name' | 'value' | 'meaning';

export interface SchemaLink {
  /** Kept tables, in schema order. */
  tables: string[];
  /** Linked columns as `table.column`, lower-cased. */
  columns: Set<string>;
  /** How each linked column is linked (`table.column`, lower-cased); a column missing here is a name link. */
  kinds?: Map<string, LinkKind>;
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

/** Question words that ask rather than name something: never linked by meaning. */
const ASKING = new Set(
  ('what which who whom whose where when how many much show list find give return display tell me all each every that those ' +
    'these there is are was were be been have has had do does did with from their its than more less most least also both ' +
    'order sort sorted descending ascending different distinct total number count average maximum minimum sum greater larger ' +
    'bigger smaller higher lower top name names id ids the of a an in and to for by or not no any some one two three at on as ' +
    'it they them this per out into about only just other than over under between each record records information info ' +
    'whether value values')
    .split(' '),
);

/** The lower-case words of a name or a question, unstemmed (`StuID` -> stu, id). */
function rawWords(text: string): string[] {
  return text.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
}

/**
 * 1.5 when every word of the name is in the question, its content words possibly said in other words (at least one
 * is), else 0: the rule of `nameScore`, with meaning (`nameScore` covers names the question spells). `qWords` are the
 * question's stemmed words, for the words that only qualify (`id`, `name`).
 */
function meaningScore(name: string, qContent: string[], qWords: Set<string>, memo: Map<string, Relation | null>): number {
  const ws = rawWords(name).filter((w) => !/^\d+$/.test(w));
  if (ws.length === 0) return 0;
  let byMeaning = false;
  for (const w of ws) {
    if (STOP.has(w)) {
      if (!qWords.has(stem(w))) return 0;
      continue;
    }
    let hit = false;
    for (const q of qContent) {
      const key = `${q} ${w}`;
      let r = memo.get(key);
      if (r === undefined) memo.set(key, (r = relate(q, w)));
      if (r) {
        hit = true;
        // Another form of the word (`teach` for teacher) is a link by meaning too: nameScore does not see it.
        if (r !== 'same' || stem(q) !== stem(w)) byMeaning = true;
      }
    }
    if (!hit) return 0;
  }
  return byMeaning ? 1.5 : 0;
}

export interface LinkOptions {
  /** At most this many tables kept before bridges (default 8). */
  maxTables?: number;
  /** Link by meaning too (default true; false gives the name and value links alone). */
  meaning?: boolean;
  /**
   * Keep the table a kept table's foreign key points to when only that table can name its rows (default true): "the
   * poker players" asks for people.Name through poker_player.People_ID although no word says "name".
   */
  impliedNames?: boolean;
  /** Columns holding a value the question says (`table.column`, lower-cased; src/core/valueLink.ts). */
  valueColumns?: Set<string>;
}

export function linkSchema(question: string, schema: SchemaInfo, { maxTables = 8, meaning = true, impliedNames = true, valueColumns }: LinkOptions = {}): SchemaLink {
  const qWords = new Set(words(question));
  const qText = words(question).join(' ');
  const qLower = question.toLowerCase();
  const qContent = !meaning ? [] : [...new Set(rawWords(question).filter((w) => !ASKING.has(w) && !/^\d+$/.test(w) && w.length > 1))];
  const memo = new Map<string, Relation | null>();
  const quoted = [...question.matchAll(/["'“‘]([^"'”’]+)["'”’]/g)].map((m) => m[1]!.toLowerCase());
  const columns = new Set<string>();
  const kinds = new Map<string, LinkKind>();
  const tableScores = new Map<string, number>();
  for (const t of schema.tables) {
    const byName = nameScore(t.name, qWords, qText);
    let score = Math.max(byName, byName >= 1 ? 0 : meaningScore(t.name, qContent, qWords, memo)) * 2;
    for (const c of t.columns) {
      const key = `${t.name}.${c.name}`.toLowerCase();
      let cs = nameScore(c.name, qWords, qText);
      let kind: LinkKind = 'name';
      for (const v of c.examples) {
        if (typeof v !== 'string' || v.length < 3) continue;
        const lv = v.toLowerCase();
        if (cs < 2 && (qLower.includes(lv) || quoted.includes(lv))) {
          cs = 2;
          kind = 'value';
        }
      }
      if (cs < 2 && valueColumns?.has(key)) {
        cs = 2;
        kind = 'value';
      }
      if (cs < 1) {
        const m = meaningScore(c.name, qContent, qWords, memo);
        if (m > 0) {
          cs = m;
          kind = 'meaning';
        }
      }
      if (cs >= 1) {
        columns.add(key);
        kinds.set(key, kind);
      }
      score += cs >= 1 ? cs : cs / 2;
    }
    tableScores.set(t.name.toLowerCase(), score);
  }
  const ranked = [...schema.tables].sort((a, b) => tableScores.get(b.name.toLowerCase())! - tableScores.get(a.name.toLowerCase())!);
  let kept = ranked.filter((t) => tableScores.get(t.name.toLowerCase())! >= 1).slice(0, maxTables);
  if (kept.length === 0) kept = ranked.slice(0, Math.min(maxTables, schema.tables.length));
  if (impliedNames) kept = withNamers(kept, schema, maxTables);
  kept = withBridges(kept, schema, maxTables);
  const keep = new Set(kept.map((t) => t.name));
  return { tables: schema.tables.filter((t) => keep.has(t.name)).map((t) => t.name), columns, kinds, tableScores };
}

const NAMING = /(^|_|\b)(name|title)s?($|_)|name$/i;

/** Adds, for each kept table with no name or title column, the tables its foreign keys point to that have one. */
function withNamers(kept: TableInfo[], schema: SchemaInfo, maxTables: number): TableInfo[] {
  const names = new Set(kept.map((t) => t.name.toLowerCase()));
  const out = [...kept];
  for (const t of kept) {
    if (t.columns.some((c) => NAMING.test(c.name))) continue;
    for (const f of t.foreignKeys) {
      const target = schema.tables.find((u) => u.name.toLowerCase() === f.table.toLowerCase());
      if (!target || names.has(target.name.toLowerCase()) || out.length >= maxTables) continue;
      if (!target.columns.some((c) => NAMING.test(c.name))) continue;
      out.push(target);
      names.add(target.name.toLowerCase());
    }
  }
  return out;
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
