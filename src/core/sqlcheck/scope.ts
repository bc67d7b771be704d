/**
 * Name resolution for the prefix checker: every column, bare or qualified, must resolve to exactly one source in
 * scope (the SELECT's own sources, then the SELECTs it is nested in), and a select list's columns, written before
 * FROM, wait until the FROM clause ends. SQLite's rules, as sql.js runs them: a bare column found in two sources is
 * ambiguous (unless joined with USING); a table with an alias is called only by its alias; WHERE, GROUP BY, HAVING
 * and ORDER BY may name a result column's alias. An ON clause reads only the sources joined so far (SQLite refuses
 * anything else after a LEFT JOIN, and a small model that reads ahead writes T2 where it bound T22), though a bare
 * column it reads must stay unambiguous when later sources join (SQLite resolves it against the whole FROM clause).
 */
import { FUNCTIONS, MAX_SOURCES, TABLE_ALIAS } from './catalog';
import { feasible } from './feasible';
import type { Ctx, ChainFrame, CoreFrame, Ref, Source, Stack } from './frames';

/** The finished CTEs of the chain (the bottom frame). */
export function chainOf(stack: Stack): ChainFrame {
  return stack[0] as ChainFrame;
}

/** The columns of a table or finished CTE, or undefined when it is neither. */
export function sourceColumns(ctx: Ctx, stack: Stack, name: string): readonly string[] | undefined {
  return chainOf(stack).ctes.get(name) ?? ctx.catalog.tables.get(name);
}

/** Whether some table or finished CTE has all of these columns. */
function someSourceHas(ctx: Ctx, stack: Stack, cols: readonly string[]): boolean {
  const holds = (have: readonly string[]) => cols.every((c) => have.includes(c));
  for (const have of ctx.catalog.tables.values()) if (holds(have)) return true;
  for (const have of chainOf(stack).ctes.values()) if (holds(have)) return true;
  return false;
}

/** A qualifier a select list may use before FROM names it: a table or CTE, or an alias shaped like T1 / s2 / a. */
export function plausibleQualifier(ctx: Ctx, stack: Stack, q: string): boolean {
  return TABLE_ALIAS.test(q) || sourceColumns(ctx, stack, q) !== undefined;
}

/** How many of a SELECT's sources have column `c` (a USING column counts once). */
export function matchCount(core: CoreFrame, c: string): number {
  if (core.using.includes(c)) return 1;
  let n = 0;
  for (const s of core.srcs) if (s.cols.includes(c)) n++;
  return n;
}

/** Whether the SELECT's select list is still being written (its FROM clause has not started). */
export function beforeFrom(core: CoreFrame): boolean {
  return core.ph === 'select' || core.ph === 'item' || core.ph === 'afterItem' || core.ph === 'alias' || core.ph === 'afterAlias';
}

/**
 * Resolves column `c` (qualified by `q`, or bare) read by an expression at the top of `stack`; returns the stack with
 * the column recorded where it must be checked later (a select list's deferred column, an ON clause's bare column),
 * or null when it cannot resolve.
 */
export function resolveColumn(ctx: Ctx, stack: Stack, q: string | null, c: string, aggOk = true): Stack | null {
  // Inside an aggregate's arguments a column of an enclosing SELECT would make the aggregate that SELECT's.
  const inAgg = aggregateArgument(stack);
  let nearest = true;
  for (let i = stack.length - 1; i > 0; i--) {
    const f = stack[i]!;
    if (f.k !== 'core') continue;
    if (!nearest && inAgg) return null;
    nearest = false;
    if (beforeFrom(f)) return defer(ctx, stack, i, f, inAgg ? { q, c, inAgg } : { q, c });
    const r = resolveIn(f, q, c, aggOk);
    if (r === 'ambiguous') return null;
    if (r === 'found') {
      if (q === null && f.ph === 'on') return replaceAt(stack, i, { ...f, onRefs: [...f.onRefs, c] });
      return stack;
    }
  }
  return null;
}

/** Whether column `c` resolves in one SELECT, as it stands. */
function resolveIn(core: CoreFrame, q: string | null, c: string, aggOk: boolean | null = true): 'found' | 'ambiguous' | 'none' {
  if (q !== null) {
    const s = core.srcs.find((x) => x.qual === q);
    return s && s.cols.includes(c) ? 'found' : 'none';
  }
  const n = matchCount(core, c);
  if (n > 1) return 'ambiguous';
  if (n === 1) return 'found';
  // Result aliases (aggOk null: not at all), except in ON (SQLite resolves those against the sources only), and an
  // aggregate's alias only where an aggregate may stand.
  if (aggOk !== null && core.ph !== 'on' && core.fromDone && core.aliases.includes(c) && (aggOk || !core.aggAliases.includes(c))) return 'found';
  return 'none';
}

/** Whether the top of the stack is inside an aggregate call's arguments (within the nearest SELECT). */
function aggregateArgument(stack: Stack): boolean {
  for (let i = stack.length - 1; i > 0; i--) {
    const f = stack[i]!;
    if (f.k === 'core') return false;
    if (f.k === 'call' && FUNCTIONS.get(f.fn)!.agg !== 'never') return true;
  }
  return false;
}

/** Records a select-list column for the end of FROM, if some source could still provide it. */
function defer(ctx: Ctx, stack: Stack, i: number, core: CoreFrame, ref: Ref): Stack | null {
  if (ref.q === null) {
    if (!ctx.catalog.columns.has(ref.c) && ![...chainOf(stack).ctes.values()].some((cols) => cols.includes(ref.c))) return null;
  } else {
    if (!plausibleQualifier(ctx, stack, ref.q)) return null;
    const same = core.deferred.filter((r) => r.q === ref.q).map((r) => r.c);
    if (!someSourceHas(ctx, stack, [...same, ref.c])) return null;
  }
  const next = { ...core, deferred: [...core.deferred, ref] };
  return canBind(ctx, stack, next, i) ? replaceAt(stack, i, next) : null;
}

/** Whether SELECT `core` (at `i` in the stack, default the top) can still bind every column it wrote (feasible.ts). */
export function canBind(ctx: Ctx, stack: Stack, core: CoreFrame, i = stack.length - 1): boolean {
  return feasible(ctx, stack, core, MAX_SOURCES, (c) => resolvesOuter(stack, i, { q: null, c }));
}

/**
 * Ends a SELECT's FROM clause: every deferred select-list column and every bare ON column must now resolve to exactly
 * one source (of this SELECT, or a SELECT it is nested in), and every `q.*` to a source of this SELECT. Returns the
 * frame with `fromDone`, or null.
 */
export function endFrom(stack: Stack, i: number, core: CoreFrame): CoreFrame | null {
  if (core.needAlias) return null;
  // A select-list `q.*` reads a source of this SELECT only (SQLite: no such table: q).
  for (const it of core.items) if ('star' in it && it.star !== null && !core.srcs.some((s) => s.qual === it.star)) return null;
  const done = { ...core, fromDone: true };
  for (const ref of core.deferred) {
    const r = resolveIn(done, ref.q, ref.c, null); // a select list cannot read its own aliases
    if (r === 'ambiguous') return null;
    if (r === 'none' && (ref.inAgg || !resolvesOuter(stack, i, ref))) return null;
  }
  for (const c of core.onRefs) if (matchCount(core, c) > 1) return null;
  return done;
}

function resolvesOuter(stack: Stack, i: number, ref: Ref): boolean {
  for (let j = i - 1; j > 0; j--) {
    const f = stack[j]!;
    if (f.k !== 'core' || beforeFrom(f)) continue;
    const r = resolveIn(f, ref.q, ref.c);
    if (r === 'found') return true;
    if (r === 'ambiguous') return false;
  }
  return false;
}

/**
 * Whether a source just bound under `qual` leaves the select list satisfiable: every deferred column qualified by
 * `qual` must be one of its columns.
 */
export function qualFits(core: CoreFrame, src: Source): boolean {
  return core.deferred.every((r) => r.q !== src.qual || src.cols.includes(r.c));
}

/** The result columns of a SELECT's items, with `*` and `q.*` expanded over its sources. */
export function itemColumns(core: CoreFrame): string[] {
  const out: string[] = [];
  for (const it of core.items) {
    if ('name' in it) out.push(it.name);
    else if (it.star === null) for (const s of core.srcs) out.push(...s.cols);
    else out.push(...(core.srcs.find((s) => s.qual === it.star)?.cols ?? []));
  }
  return out;
}

export function replaceAt(stack: Stack, i: number, f: Stack[number]): Stack {
  const out = stack.slice();
  out[i] = f;
  return out;
}

/** Whether `q.` may be written here: a source in scope, or (in a select list before FROM) a plausible one. */
export function qualifierOk(ctx: Ctx, stack: Stack, q: string): boolean {
  for (let i = stack.length - 1; i > 0; i--) {
    const f = stack[i]!;
    if (f.k !== 'core') continue;
    if (beforeFrom(f)) return plausibleQualifier(ctx, stack, q);
    if (f.srcs.some((s) => s.qual === q)) return true;
  }
  return false;
}

/** The columns `q.` may be followed by: its source's, or (not bound yet) those of every source it could name. */
export function qualifierColumns(ctx: Ctx, stack: Stack, q: string): string[] {
  for (let i = stack.length - 1; i > 0; i--) {
    const f = stack[i]!;
    if (f.k !== 'core') continue;
    const src = f.srcs.find((s) => s.qual === q);
    if (src) return [...src.cols];
  }
  const own = sourceColumns(ctx, stack, q);
  if (own && !TABLE_ALIAS.test(q)) return [...own];
  const all = new Set<string>(ctx.catalog.columns);
  for (const cols of chainOf(stack).ctes.values()) for (const c of cols) all.add(c);
  return [...all];
}
