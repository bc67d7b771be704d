/**
 * The prefix checker's grammar for one SELECT core: the select list, FROM (sources, joins, aliases, ON / USING), WHERE,
 * GROUP BY, HAVING, ORDER BY and LIMIT, each clause once and in order, and the sources a select list's columns need.
 */
import { foldName, MAX_SOURCES, NEVER_BARE, TABLE_ALIAS } from './catalog';
import type { Lexeme } from './lexer';
import { newExpr, type CoreFrame, type CorePhase, type Ctx, type Done, type ExprFrame, type Item, type Stack } from './frames';
import { canBind, chainOf, endFrom, itemColumns, qualFits, sourceColumns } from './scope';
import { newName, push, setTop, word, type Step } from './steps';

/** Select-list items past this: a small model repeating itself (Spider's gold has far fewer). */
const MAX_ITEMS = 16;

/** Phases where the SELECT may end (or move to a later clause). */
const CORE_END = new Set<CorePhase>(['afterItem', 'afterAlias', 'afterSrc', 'afterOn', 'usingNext', 'afterWhere', 'afterGroupItem', 'afterHaving', 'afterOrderItem', 'afterDir', 'afterLimit', 'afterOffset']);
/** Rank of the clause each phase is in, for clause order. */
const RANK: Partial<Record<CorePhase, number>> = { afterItem: 0, afterAlias: 0, afterSrc: 1, afterOn: 1, usingNext: 1, afterWhere: 2, afterGroupItem: 3, afterHaving: 4, afterOrderItem: 5, afterDir: 5, afterLimit: 6, afterOffset: 6 };

export function core(ctx: Ctx, st: Stack, f: CoreFrame, lx: Lexeme): Step {
  const i = st.length - 1;
  const w = word(lx);
  switch (f.ph) {
    case 'select':
      if (w === 'distinct' || w === 'all') return setTop(st, { ...f, ph: 'item' });
      return { re: setTop(st, { ...f, ph: 'item' }) };
    case 'item':
      if (f.items.length >= f.maxArity) return null;
      return { re: push(setTop(st, f), newExpr(true, { starOk: true })) };
    case 'alias': {
      // A new name, or any quoted one (`AS "unit price"`: an output column keeps a name that needs quoting).
      const name = lx.t === 'qid' && lx.v !== '' ? foldName(lx.v) : lx.t === 'word' && newName(w) ? w : null;
      if (name === null || !f.pendingItem) return null;
      const aggAliases = 'name' in f.pendingItem && f.pendingItem.agg ? [...f.aggAliases, name] : f.aggAliases;
      return setTop(st, { ...f, ph: 'afterAlias', items: [...f.items, { name, plain: true }], aliases: [...f.aliases, name], aggAliases, pendingItem: null });
    }
    case 'from': {
      if (lx.t !== 'word' && lx.t !== 'qid') return null;
      if (lx.t === 'word' && NEVER_BARE.has(w)) return null; // a table called `order` is written "order"
      const next = addSource(ctx, st, f, foldName(lx.v));
      return next ? setTop(st, next) : null;
    }
    case 'srcAlias': {
      if (lx.t !== 'word') return null;
      const next = aliasLast(ctx, st, f, w);
      return next ? setTop(st, next) : null;
    }
    case 'joinKw':
      if (w === 'outer' && f.joined) return setTop(st, { ...f, ph: 'outer' });
      return w === 'join' ? setTop(st, { ...f, ph: 'from', joined: true }) : null;
    case 'outer':
      return w === 'join' ? setTop(st, { ...f, ph: 'from', joined: true }) : null;
    case 'using':
      return lx.t === '(' ? setTop(st, { ...f, ph: 'usingCol' }) : null;
    case 'usingCol': {
      if (lx.t !== 'word' || NEVER_BARE.has(w) || !usingColumns(f).includes(w) || f.using.includes(w)) return null;
      return setTop(st, { ...f, ph: 'usingClose', using: [...f.using, w] });
    }
    case 'usingClose': {
      if (lx.t === ',') return usingColumns(f).some((c) => !f.using.includes(c)) ? setTop(st, { ...f, ph: 'usingCol' }) : null;
      return lx.t === ')' && !lx.ws.includes('\n') ? setTop(st, { ...f, ph: 'usingNext', joined: false }) : null;
    }
    case 'groupBy':
      return w === 'by' ? push(setTop(st, { ...f, ph: 'groupItem', grouped: true }), newExpr(false)) : null;
    case 'orderBy':
      return w === 'by' ? push(setTop(st, { ...f, ph: 'orderItem' }), orderTerm(f)) : null;
    case 'limit':
    case 'offset':
      if (lx.t !== 'num' || !/^[0-9]{1,9}$/.test(lx.v)) return null;
      return setTop(st, { ...f, ph: f.ph === 'limit' ? 'afterLimit' : 'afterOffset' });
    default:
      break;
  }
  // Phases after an item, a source, a clause: what may come next.
  if (f.ph === 'afterItem' || f.ph === 'afterAlias') {
    if (w === 'as' && f.ph === 'afterItem') {
      const last = f.items[f.items.length - 1]!;
      if (!('name' in last)) return null; // `*` takes no alias
      return setTop(st, { ...f, ph: 'alias', items: f.items.slice(0, -1), pendingItem: last });
    }
    if (lx.t === ',') return f.items.length < Math.min(f.maxArity, MAX_ITEMS) && (!f.compound || f.items.length < f.compound.length) ? setTop(st, { ...f, ph: 'item' }) : null;
    // After UNION …, FROM fixes the column count (unless a `*` is still to be expanded).
    if (w === 'from' && f.compound && f.items.every((it) => 'name' in it) && f.items.length !== f.compound.length) return null;
    if (w === 'from') return canAddSource(ctx, st, f) ? setTop(st, { ...f, ph: 'from', joined: false }) : null;
  }
  if (f.ph === 'afterSrc' || f.ph === 'afterOn' || f.ph === 'usingNext') {
    // AS only when some alias fits; JOIN (or a comma) only when some source can still be added.
    if (f.ph === 'afterSrc' && w === 'as' && !f.aliased) return aliasChoices(f).some((q) => aliasLast(ctx, st, f, q)) ? setTop(st, { ...f, ph: 'srcAlias' }) : null;
    if (f.needAlias) return null;
    const room = f.srcs.length < MAX_SOURCES && (lx.t === ',' || w === 'join' || w === 'inner' || w === 'cross' || w === 'left') && canAddSource(ctx, st, f);
    if (room && lx.t === ',') return setTop(st, { ...f, ph: 'from', joined: false });
    if (room && w === 'join') return setTop(st, { ...f, ph: 'from', joined: true });
    if (room && (w === 'inner' || w === 'cross')) return setTop(st, { ...f, ph: 'joinKw', joined: false });
    if (room && w === 'left') return setTop(st, { ...f, ph: 'joinKw', joined: true });
    if (f.ph === 'afterSrc' && f.joined && w === 'on') return push(setTop(st, { ...f, ph: 'on' }), newExpr(false));
    if (f.ph === 'afterSrc' && f.joined && w === 'using' && usingColumns(f).length > 0) return setTop(st, { ...f, ph: 'using' });
  }
  if (f.ph === 'afterOrderItem' && (w === 'asc' || w === 'desc')) return setTop(st, { ...f, ph: 'afterDir' });
  if ((f.ph === 'afterOrderItem' || f.ph === 'afterDir') && lx.t === ',') return push(setTop(st, { ...f, ph: 'orderItem' }), orderTerm(f));
  if (f.ph === 'afterGroupItem' && lx.t === ',') return push(setTop(st, { ...f, ph: 'groupItem' }), newExpr(false));
  if (f.ph === 'afterLimit' && (w === 'offset' || lx.t === ',')) return setTop(st, { ...f, ph: 'offset' });
  if (!CORE_END.has(f.ph)) return null;
  return clauseOrEnd(st, i, f, lx);
}

/**
 * The SELECT with source `name` (a table or finished CTE) added to its FROM clause, or null when it cannot be: the
 * select list must stay bindable (feasible.ts) with the source under its own name or an alias it may still take.
 */
function addSource(ctx: Ctx, st: Stack, f: CoreFrame, name: string): CoreFrame | null {
  const cols = sourceColumns(ctx, st, name);
  if (!cols || f.srcs.length >= MAX_SOURCES) return null;
  const dup = f.srcs.some((s) => s.qual === name);
  const src = { qual: name, name, cols };
  if (!dup && !qualFits(f, src)) return null;
  const next: CoreFrame = { ...f, ph: 'afterSrc', srcs: [...f.srcs, src], needAlias: dup, aliased: false };
  const quals = dup ? aliasChoices(f) : [name, ...aliasChoices(f)];
  if (!quals.some((q) => canBind(ctx, st, { ...next, srcs: [...f.srcs, { ...src, qual: q }] }))) return null;
  return arityOk(next) ? next : null;
}

/** The aliases a new source may take: the select list's unbound qualifiers (T2 of `SELECT T2.name`), or a fresh one. */
export function aliasChoices(f: CoreFrame): string[] {
  const taken = (q: string) => f.srcs.some((x) => x.qual === q);
  const unbound = [...new Set(f.deferred.map((r) => r.q))].filter((q): q is string => q !== null && TABLE_ALIAS.test(q) && !taken(q));
  const fresh = Array.from({ length: MAX_SOURCES + 1 }, (_, k) => `t${k + 1}`).find((q) => !taken(q) && !unbound.includes(q));
  return [...unbound, fresh!];
}

/** The SELECT with its last source aliased `alias`, or null. */
function aliasLast(ctx: Ctx, st: Stack, f: CoreFrame, alias: string): CoreFrame | null {
  if (!TABLE_ALIAS.test(alias)) return null;
  const srcs = f.srcs.slice();
  const last = srcs.pop()!;
  if (srcs.some((s) => s.qual === alias)) return null;
  const src = { ...last, qual: alias };
  if (!qualFits(f, src)) return null;
  const next: CoreFrame = { ...f, ph: 'afterSrc', srcs: [...srcs, src], needAlias: false, aliased: true };
  return canBind(ctx, st, next) ? next : null;
}

/** Whether some table or finished CTE can still be added to the SELECT's FROM clause. */
function canAddSource(ctx: Ctx, st: Stack, f: CoreFrame): boolean {
  return [...chainOf(st).ctes.keys(), ...ctx.catalog.tables.keys()].some((n) => addSource(ctx, st, f, n) !== null);
}

/** The SELECT after a complete clause: a later clause starts, or the SELECT ends (its FROM clause ends first). */
function clauseOrEnd(st: Stack, i: number, f: CoreFrame, lx: Lexeme): Step {
  const rank = RANK[f.ph]!;
  const w = word(lx);
  const clause = w === 'where' ? 2 : w === 'group' ? 3 : w === 'having' ? 4 : w === 'order' ? 5 : w === 'limit' ? 6 : -1;
  if (clause >= 0 && clause <= rank) return null;
  let c = f;
  if (rank < 2) {
    if (rank === 0 && (f.deferred.length > 0 || f.items.some((it) => 'star' in it))) return null; // columns need FROM
    const done = rank === 0 ? { ...f, fromDone: true } : endFrom(st, i, f);
    if (!done) return null;
    c = done;
  }
  if (rank === 0 && (w === 'where' || w === 'group' || w === 'having')) return null;
  switch (clause) {
    case 2:
      return push(setTop(st, { ...c, ph: 'where' }), newExpr(false));
    case 3:
      return setTop(st, { ...c, ph: 'groupBy' });
    case 4:
      if (!c.agg && !c.grouped) return null;
      return push(setTop(st, { ...c, ph: 'having' }), newExpr(true));
    case 5:
      return setTop(st, { ...c, ph: 'orderBy' });
    case 6:
      return setTop(st, { ...c, ph: 'limit' });
  }
  if (!arityOk(c)) return null;
  const outs = itemColumns(c);
  if (c.compound && outs.length !== c.compound.length) return null;
  return { fin: { agg: false, outs, ordered: rank >= 5, match: plainNames(c) }, consumed: false };
}

/** A select-list `*` (its expression on top of the SELECT) leaves the SELECT a way to end: see fitsStar. */
export function starFits(ctx: Ctx, st: Stack): boolean {
  const core = st[st.length - 2];
  return core?.k !== 'core' || !Number.isFinite(core.maxArity) || fitsStar(ctx, st, core);
}

/** Whether some table or finished CTE alone gives a `*` as many columns as the SELECT may still have. */
function fitsStar(ctx: Ctx, st: Stack, f: CoreFrame): boolean {
  const room = f.maxArity - f.items.length;
  const fits = (cols: readonly string[]) => cols.length === room;
  return [...ctx.catalog.tables.values()].some(fits) || [...chainOf(st).ctes.values()].some(fits);
}

/** The plain column names of a SELECT's items (see Item). */
function plainNames(f: CoreFrame): string[] {
  const stars = f.items.some((it) => 'star' in it) ? itemColumns({ ...f, items: f.items.filter((it) => 'star' in it) }) : [];
  return [...f.items.flatMap((it) => ('name' in it && it.plain && it.name ? [it.name] : [])), ...stars];
}

/** An ORDER BY term: aggregates only in an aggregate query; after UNION … one result column (see ExprFrame.lone). */
function orderTerm(f: CoreFrame): ExprFrame {
  return f.compound ? newExpr(false, { lone: [...f.compoundMatch, ...plainNames(f)] }) : newExpr(f.agg || f.grouped);
}

/** A SELECT's result columns fit its query (one in a scalar subquery, as many as the first SELECT after UNION). */
function arityOk(f: CoreFrame): boolean {
  return itemColumns(f).length <= f.maxArity;
}

/**
 * A finished expression (or subquery) handed to the SELECT it stands in. A `*` item was checked against the SELECT's
 * column count when its `*` was read (starFits).
 */
export function coreChild(st: Stack, f: CoreFrame, d: Done): Stack | null {
  switch (f.ph) {
    case 'item': {
      const item: Item = d.star !== undefined ? { star: d.star } : { name: d.single ?? '', plain: d.plain === true, agg: d.agg };
      const next = { ...f, ph: 'afterItem' as const, items: [...f.items, item], agg: f.agg || d.agg };
      if (f.compound && f.items.length + 1 > f.compound.length) return null;
      return setTop(st, next);
    }
    case 'on':
      return setTop(st, { ...f, ph: 'afterOn', joined: false });
    case 'where':
      return setTop(st, { ...f, ph: 'afterWhere' });
    case 'groupItem':
      return d.num == null ? setTop(st, { ...f, ph: 'afterGroupItem' }) : null; // GROUP BY 2: a column number, out of range or an aggregate
    case 'having':
      return setTop(st, { ...f, ph: 'afterHaving' });
    case 'orderItem': {
      if (d.num != null) {
        const n = Number(d.num);
        if (!Number.isInteger(n) || n < 1 || n > itemColumns(f).length) return null;
      }
      if (f.compound && d.num == null && (!d.plain || ![...f.compoundMatch, ...plainNames(f)].includes(d.single!))) return null;
      return setTop(st, { ...f, ph: 'afterOrderItem' });
    }
    default:
      return null;
  }
}

/** The columns a USING list may name: the last source's columns that exactly one earlier source has too. */
function usingColumns(f: CoreFrame): string[] {
  const last = f.srcs[f.srcs.length - 1]!;
  return last.cols.filter((c) => f.srcs.slice(0, -1).filter((s) => s.cols.includes(c)).length === 1);
}
