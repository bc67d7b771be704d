/**
 * What the chain written so far puts in scope, for the name constraint (constrain.ts): the CTEs it has finished and
 * the columns each one outputs, and, for the SELECT being written (and the ones it is nested in), the clause it is in,
 * its sources (`FROM singer AS T1 JOIN s1`) with their columns, and the names its select list has used so far.
 * Works on unfinished text (a statement cut anywhere) with the lexer only; nothing here parses.
 */
import type { Token } from './sqlLexer';

/** A table or finished CTE a SELECT reads, with its columns (lower case; null when they cannot be known). */
export interface Source {
  name: string;
  alias: string | null;
  columns: Set<string> | null;
}

/** One SELECT of the chain: where the text stands in it and what it has written so far. */
export interface QueryFrame {
  /** select: the select list; from: FROM/JOIN sources; on: a JOIN's ON condition; after: WHERE, GROUP BY, ORDER BY, … */
  phase: 'select' | 'from' | 'on' | 'after';
  sources: Source[];
  /** Column words the select list wrote without a qualifier (not functions, keywords or its own AS names). */
  bare: Set<string>;
  /** Columns written with a qualifier (`T1.name`), by qualifier, anywhere in the SELECT. */
  qualified: Map<string, Set<string>>;
  /** Names the select list defines with AS. */
  outputs: Set<string>;
  /** Output column names of the first SELECT of a compound (UNION …), once it is finished; else of this one. */
  firstOutputs: Set<string> | null;
  /** Per select-list item, its tokens (for the output names of a finished CTE). */
  items: Token[][];
  depth: number;
  /** The furthest clause written so far at the SELECT's own level: 0 select list, then CLAUSE_RANK (from 1 … limit 6). */
  clause: number;
}

/** The order in which a SELECT's clauses must come. */
const CLAUSE_RANK: Record<string, number> = { from: 1, where: 2, group: 3, having: 4, order: 5, limit: 6 };

export interface ChainScope {
  /** Finished CTEs and their output columns (null: not known). */
  ctes: Map<string, Set<string> | null>;
  /** The SELECTs the end of the text is inside, outermost first (empty between steps). */
  frames: QueryFrame[];
  /** How many parentheses are open at the end of the text, plus one (a frame's depth when it is not inside any). */
  depth: number;
}

const CLAUSE_AFTER = new Set(['where', 'group', 'having', 'order', 'limit', 'offset']);
const COMPOUND = new Set(['union', 'intersect', 'except']);
const JOIN_WORDS = new Set(['join', 'inner', 'left', 'right', 'full', 'outer', 'cross', 'natural']);
const NOT_ALIAS = new Set([...CLAUSE_AFTER, ...COMPOUND, ...JOIN_WORDS, 'on', 'using', 'as']);

/**
 * Scans `toks` (no spaces or comments). `tables` maps each schema table (lower case) to its columns; `isKeyword`
 * tells SQL keywords from names (a function word followed by `(` is never a column).
 */
export function chainScope(toks: Token[], tables: Map<string, Set<string>>, isKeyword: (w: string) => boolean): ChainScope {
  const ctes = new Map<string, Set<string> | null>();
  // One entry per open parenthesis (and the statement level): the SELECT it holds, if any, and the CTE it defines.
  const stack: { frame: QueryFrame | null; cte: string | null }[] = [{ frame: null, cte: null }];
  const queryAt = () => {
    for (let i = stack.length - 1; i >= 0; i--) if (stack[i]!.frame) return stack[i]!.frame!;
    return null;
  };
  let expectSource = false;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    const top = stack[stack.length - 1]!;
    const q = queryAt();
    const w = t.text.toLowerCase();
    if (t.kind === 'open') {
      const [name, as] = [toks[i - 2], toks[i - 1]];
      const defines = stack.length === 1 && name?.kind === 'word' && as?.text.toLowerCase() === 'as';
      if (q && top.frame === q && q.phase === 'select') q.items[q.items.length - 1]!.push(t);
      // FROM (SELECT …): a derived table, whose columns are not tracked.
      if (q && top.frame === q && expectSource) q.sources.push({ name: '(subquery)', alias: null, columns: null });
      stack.push({ frame: null, cte: defines ? name.text.toLowerCase() : null });
      expectSource = false;
      continue;
    }
    if (t.kind === 'close') {
      if (stack.length > 1) {
        const closed = stack.pop()!;
        if (closed.cte) ctes.set(closed.cte, closed.frame ? outputsOf(closed.frame) : null);
      }
      const q2 = queryAt();
      if (q2 && stack[stack.length - 1]!.frame === q2 && q2.phase === 'select') q2.items[q2.items.length - 1]!.push(t);
      continue;
    }
    if (t.kind === 'word' && w === 'select') {
      const prev = top.frame;
      const firstOutputs = prev ? (prev.firstOutputs ?? outputsOf(prev)) : null;
      top.frame = newFrame(stack.length, firstOutputs);
      expectSource = false;
      continue;
    }
    if (t.kind === 'word' && w === 'with' && stack.length === 1) {
      top.frame = null;
      continue;
    }
    if (!q) continue;
    const own = top.frame === q; // at the SELECT's own level (not inside a function call or IN list)
    if (q.phase === 'select' && own) {
      if (t.kind === 'comma') {
        q.items.push([]);
        continue;
      }
      if (w !== 'from') q.items[q.items.length - 1]!.push(t); // FROM itself is handled below
    }
    if (own && t.kind === 'word') {
      if (w === 'from' || w === 'join') {
        q.phase = 'from';
        q.clause = Math.max(q.clause, 1);
        expectSource = true;
        continue;
      }
      if (w === 'on') {
        q.phase = 'on';
        continue;
      }
      if (CLAUSE_AFTER.has(w)) {
        q.phase = 'after';
        q.clause = Math.max(q.clause, CLAUSE_RANK[w] ?? 0);
        continue;
      }
    }
    if (own && q.phase === 'from' && t.kind === 'comma') {
      expectSource = true;
      continue;
    }
    if (t.kind !== 'word' && t.kind !== 'quoted') continue;
    if (expectSource && own) {
      expectSource = false;
      const name = unquote(t.text).toLowerCase();
      let j = i + 1;
      if (toks[j]?.text.toLowerCase() === 'as') j++;
      const a = toks[j];
      const alias = a && (a.kind === 'word' || a.kind === 'quoted') && !NOT_ALIAS.has(a.text.toLowerCase()) ? unquote(a.text).toLowerCase() : null;
      const columns = tables.get(name) ?? ctes.get(name) ?? null;
      q.sources.push({ name, alias, columns });
      i = alias ? j : i;
      continue;
    }
    if (t.kind !== 'word' || /^[0-9]/.test(w) || w === 'as') continue;
    const prev = toks[i - 1];
    const next = toks[i + 1];
    if (next?.text === '.') continue; // a qualifier: its column is recorded below
    if (prev?.text === '.') {
      const qual = toks[i - 2];
      if (qual?.kind === 'word') {
        const key = qual.text.toLowerCase();
        if (!q.qualified.has(key)) q.qualified.set(key, new Set());
        q.qualified.get(key)!.add(w);
      }
      continue;
    }
    if (prev?.text.toLowerCase() === 'as') {
      if (q.phase === 'select') q.outputs.add(w);
      continue;
    }
    if (next?.kind === 'open' || isKeyword(w)) continue;
    if (q.phase === 'select') q.bare.add(w);
  }
  return { ctes, frames: stack.map((s) => s.frame).filter((f): f is QueryFrame => f !== null), depth: stack.length };
}

function newFrame(depth: number, firstOutputs: Set<string> | null): QueryFrame {
  return { phase: 'select', sources: [], bare: new Set(), qualified: new Map(), outputs: new Set(), firstOutputs, items: [[]], depth, clause: 0 };
}

/**
 * The output column names of a finished SELECT (its first SELECT when compound): `x AS name` gives name, `T1.col` and
 * `col` give col, `*` and `T1.*` every column of the sources; an expression without AS has no usable name.
 * Null when a `*` reads a source whose columns are unknown.
 */
function outputsOf(frame: QueryFrame): Set<string> | null {
  if (frame.firstOutputs) return frame.firstOutputs;
  const out = new Set<string>();
  for (const item of frame.items) {
    const words = item.map((t) => t.text);
    const last = item[item.length - 1];
    if (!last) continue;
    if (last.text === '*') {
      const qual = words.length === 3 && words[1] === '.' ? words[0]!.toLowerCase() : null;
      const from = qual ? frame.sources.filter((s) => s.alias === qual || (!s.alias && s.name === qual)) : frame.sources;
      for (const s of from) {
        const cols = s.columns;
        if (!cols) return null;
        for (const c of cols) out.add(c);
      }
      continue;
    }
    if (last.kind !== 'word' && last.kind !== 'quoted') continue;
    const before = item[item.length - 2]?.text.toLowerCase();
    if (item.length === 1 || before === '.' || before === 'as') out.add(unquote(last.text).toLowerCase());
  }
  return out;
}

function unquote(s: string): string {
  return /^["`[]/.test(s) ? s.slice(1, -1) : s;
}
