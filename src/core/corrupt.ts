/**
 * Corrupted steps: the negatives of the PRM's training data. One small, plausible mistake is made in a correct
 * step, of the kinds a text-to-SQL model makes: a wrong column, a wrong join key, a wrong comparison, a wrong
 * aggregate, a wrong literal, a flipped sort order or a changed LIMIT, and the near misses of a stronger policy: a
 * dropped DISTINCT, a missing WHERE condition, a dropped ORDER BY or a dropped LIMIT. Whether the mistake really
 * changes the step's result is decided by execution afterwards (see scripts/make-prm-data.ts), not here.
 */
import { lex, type Token } from './sqlLexer';
import type { SchemaInfo } from './types';

export const CORRUPTIONS = ['column', 'join', 'comparison', 'aggregate', 'literal', 'order', 'limit', 'distinct', 'condition', 'sort', 'nolimit'] as const;
export type CorruptionKind = (typeof CORRUPTIONS)[number];

export interface Corruption {
  sql: string;
  kind: CorruptionKind;
  /** What changed, e.g. `Age -> Name`. */
  change: string;
}

const AGG_SWAP: Record<string, string[]> = {
  count: ['sum', 'max'],
  sum: ['count', 'avg', 'max'],
  avg: ['sum', 'max', 'min'],
  min: ['max', 'avg'],
  max: ['min', 'avg'],
};
const CMP_SWAP: Record<string, string[]> = {
  '>': ['<', '>=', '='],
  '<': ['>', '<=', '='],
  '>=': ['>', '<'],
  '<=': ['<', '>'],
  '=': ['!=', '>', '<'],
  '!=': ['='],
  '<>': ['='],
};

interface Site {
  kind: CorruptionKind;
  token: Token;
  replacements: string[];
  /** Where the replaced text ends when it spans more than `token` (a dropped clause or condition). */
  end?: number;
}

/** Clause words that end a WHERE condition, an ORDER BY list or a LIMIT at the same parenthesis depth. */
const CLAUSE_END = new Set(['group', 'having', 'order', 'limit', 'union', 'intersect', 'except', 'window']);

/** Depth of every significant token (the depth inside its parentheses; an opening parenthesis is at the outer one). */
function depths(sig: Token[]): number[] {
  let d = 0;
  return sig.map((t) => {
    if (t.kind === 'close') d--;
    const here = d;
    if (t.kind === 'open') d++;
    return here;
  });
}

/**
 * Index of the last token of the span that starts at `from` and runs until, at the same depth, a clause word, one
 * of `stops`, a closing parenthesis of an outer level or the end.
 */
function spanEnd(sig: Token[], depth: number[], from: number, stops: ReadonlySet<string>): number {
  let j = from;
  while (j + 1 < sig.length) {
    const t = sig[j + 1]!;
    const low = t.text.toLowerCase();
    if (depth[j + 1]! < depth[from]! || (depth[j + 1] === depth[from] && (CLAUSE_END.has(low) || stops.has(low) || t.text === ';'))) break;
    j++;
  }
  return j;
}

const NO_STOPS: ReadonlySet<string> = new Set();
const CONDITION_STOPS: ReadonlySet<string> = new Set(['and', 'or']);

/** The dropping corruptions: DISTINCT, the WHERE clause or one AND-ed condition of it, ORDER BY, LIMIT (with its OFFSET). */
function droppingSites(sig: Token[]): Site[] {
  const depth = depths(sig);
  const sites: Site[] = [];
  let inWhere = -1; // depth of the WHERE clause being read, -1 outside one
  sig.forEach((t, i) => {
    const low = t.text.toLowerCase();
    const prev = sig[i - 1]?.text.toLowerCase();
    if (t.kind !== 'word') return;
    if (low === 'where') {
      inWhere = depth[i]!;
      sites.push({ kind: 'condition', token: t, replacements: [''], end: sig[spanEnd(sig, depth, i, NO_STOPS)]!.end });
    }
    else if (CLAUSE_END.has(low) && depth[i] === inWhere) inWhere = -1;
    if (low === 'distinct' && prev === 'select') sites.push({ kind: 'distinct', token: t, replacements: [''] });
    if (low === 'order' && sig[i + 1]?.text.toLowerCase() === 'by') sites.push({ kind: 'sort', token: t, replacements: [''], end: sig[spanEnd(sig, depth, i + 1, NO_STOPS)]!.end });
    if (low === 'limit') sites.push({ kind: 'nolimit', token: t, replacements: [''], end: sig[spanEnd(sig, depth, i, NO_STOPS)]!.end });
    // `AND cond` inside a WHERE at its own depth (not the AND of a BETWEEN), or the first condition with its AND.
    if (low === 'and' && depth[i] === inWhere) {
      const start = sig.slice(0, i).map((x, k) => ({ x, k })).reverse().find(({ x, k }) => depth[k] === inWhere && ['where', 'and', 'or'].includes(x.text.toLowerCase()));
      if (start && sig.slice(start.k + 1, i).some((x, k) => depth[start.k + 1 + k] === inWhere && x.text.toLowerCase() === 'between')) return;
      sites.push({ kind: 'condition', token: t, replacements: [''], end: sig[spanEnd(sig, depth, i, CONDITION_STOPS)]!.end });
    }
  });
  return sites;
}

/** Every place in `sql` where one corruption can be made, with its candidate replacements. */
export function corruptionSites(sql: string, schema: SchemaInfo): Site[] {
  const toks = lex(sql);
  const sig = toks.filter((t) => t.kind !== 'space' && t.kind !== 'comment');
  const colTables = new Map<string, string[][]>();
  for (const t of schema.tables) {
    const names = t.columns.map((c) => c.name);
    for (const c of names) colTables.set(c.toLowerCase(), [...(colTables.get(c.toLowerCase()) ?? []), names]);
  }
  const sites: Site[] = [];
  let inOn = false;
  sig.forEach((t, i) => {
    const low = t.text.toLowerCase();
    const next = sig[i + 1];
    const prev = sig[i - 1];
    if (t.kind === 'word') {
      if (low === 'on') inOn = true;
      else if (['where', 'join', 'group', 'order', 'select', 'having', 'limit'].includes(low)) inOn = false;
      if (AGG_SWAP[low] && next?.kind === 'open') {
        sites.push({ kind: 'aggregate', token: t, replacements: AGG_SWAP[low]!.map((r) => matchCase(r, t.text)) });
      } else if (colTables.has(low) && prev?.text.toLowerCase() !== 'as') {
        // Another column of a table that has this column.
        const others = new Set<string>();
        for (const names of colTables.get(low)!) for (const c of names) if (c.toLowerCase() !== low) others.add(c);
        if (others.size) sites.push({ kind: inOn ? 'join' : 'column', token: t, replacements: [...others] });
      } else if (/^\d+$/.test(t.text) && prev?.text.toLowerCase() === 'limit') {
        const n = Number(t.text);
        sites.push({ kind: 'limit', token: t, replacements: [String(n + 1), String(Math.max(0, n - 1) || n + 2)] });
      } else if (/^\d+(\.\d+)?$/.test(t.text) && prev?.kind === 'other' && CMP_SWAP[prev.text]) {
        const n = Number(t.text);
        sites.push({ kind: 'literal', token: t, replacements: [String(n + 1), String(n * 2 || 1), String(Math.max(0, n - 1))].filter((r) => r !== t.text) });
      } else if (low === 'asc' || low === 'desc') {
        sites.push({ kind: 'order', token: t, replacements: [low === 'asc' ? matchCase('desc', t.text) : matchCase('asc', t.text)] });
      }
    } else if (t.kind === 'other' && CMP_SWAP[t.text]) {
      sites.push({ kind: 'comparison', token: t, replacements: CMP_SWAP[t.text]! });
    } else if (t.kind === 'string' && prev?.kind === 'other' && CMP_SWAP[prev.text]) {
      // A different value of some text column, or the same value with a typo.
      const inner = t.text.slice(1, -1);
      const alt = otherTextValue(schema, inner);
      sites.push({ kind: 'literal', token: t, replacements: [alt ? `'${alt.replace(/'/g, "''")}'` : `'${inner.slice(0, -1) || 'x'}'`] });
    }
  });
  return [...sites, ...droppingSites(sig)];
}

/** One random corruption of `sql` (null when it offers no site), optionally of a given kind. */
export function corruptStep(sql: string, schema: SchemaInfo, rand: () => number, kind?: CorruptionKind): Corruption | null {
  const sites = corruptionSites(sql, schema).filter((s) => !kind || s.kind === kind);
  if (sites.length === 0) return null;
  const site = sites[Math.floor(rand() * sites.length)]!;
  const rep = site.replacements[Math.floor(rand() * site.replacements.length)]!;
  return {
    sql: sql.slice(0, site.token.start) + rep + sql.slice(site.end ?? site.token.end),
    kind: site.kind,
    change: `${sql.slice(site.token.start, site.end ?? site.token.end)} -> ${rep || '(dropped)'}`,
  };
}

function matchCase(word: string, like: string): string {
  return like === like.toUpperCase() ? word.toUpperCase() : word;
}

function otherTextValue(schema: SchemaInfo, value: string): string | null {
  for (const t of schema.tables)
    for (const c of t.columns) {
      if (!c.examples.some((v) => v === value)) continue;
      const alt = c.examples.find((v) => typeof v === 'string' && v !== value);
      if (typeof alt === 'string') return alt;
    }
  return null;
}
