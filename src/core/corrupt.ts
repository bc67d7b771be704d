/**
 * Corrupted steps: the negatives of the PRM's training data. One small, plausible mistake is made in a correct
 * step, of the kinds a text-to-SQL model makes: a wrong column, a wrong join key, a wrong comparison, a wrong
 * aggregate, a wrong literal, a flipped sort order or a changed LIMIT. Whether the mistake really changes the
 * step's result is decided by execution afterwards (see scripts/make-prm-data.ts), not here.
 */
import { lex, type Token } from './sqlLexer';
import type { SchemaInfo } from './types';

export const CORRUPTIONS = ['column', 'join', 'comparison', 'aggregate', 'literal', 'order', 'limit'] as const;
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
  return sites;
}

/** One random corruption of `sql` (null when it offers no site), optionally of a given kind. */
export function corruptStep(sql: string, schema: SchemaInfo, rand: () => number, kind?: CorruptionKind): Corruption | null {
  const sites = corruptionSites(sql, schema).filter((s) => !kind || s.kind === kind);
  if (sites.length === 0) return null;
  const site = sites[Math.floor(rand() * sites.length)]!;
  const rep = site.replacements[Math.floor(rand() * site.replacements.length)]!;
  return {
    sql: sql.slice(0, site.token.start) + rep + sql.slice(site.token.end),
    kind: site.kind,
    change: `${site.token.text} -> ${rep}`,
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
