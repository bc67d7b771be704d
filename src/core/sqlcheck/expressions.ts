/**
 * The prefix checker's grammar for expressions: operands and operators, IN lists and subqueries, BETWEEN, LIKE / GLOB,
 * IS [NOT], CASE, CAST, EXISTS, scalar subqueries, and calls with their arities, aggregates only where SQLite allows
 * them. Columns resolve as scope.ts says.
 */
import { foldName, FUNCTIONS, NEVER_BARE, RESERVED, TYPE_NAMES } from './catalog';
import type { Lexeme } from './lexer';
import { newExpr, type BetweenFrame, type CallFrame, type CaseFrame, type CastFrame, type Ctx, type ExprFrame, type GroupFrame, type Stack } from './frames';
import { chainOf, qualifierColumns, qualifierOk, resolveColumn } from './scope';
import { starFits } from './selectCore';
import { kw, push, setTop, startQuery, word, type Step } from './steps';

const COMPARISON = new Set(['=', '==', '!=', '<>', '<', '<=', '>', '>=']);
const ARITHMETIC = new Set(['+', '-', '*', '/', '%', '||']);
/** Words that are a complete operand on their own. */
const LITERAL_WORDS = new Set(['null', 'true', 'false', 'current_date', 'current_time', 'current_timestamp']);

export function expr(ctx: Ctx, st: Stack, f: ExprFrame, lx: Lexeme): Step {
  const w = word(lx);
  switch (f.ph) {
    case 'operand':
      return operand(ctx, st, f, lx, w);
    case 'qualcol': {
      if (lx.ws !== '') return null; // `T1. name`: nothing between a qualifier's dot and its column
      if (lx.t === 'op' && lx.v === '*' && f.starOk && f.n === 0 && starFits(ctx, st)) return setTop(st, { ...f, ph: 'operator', n: 1, star: f.qual });
      if (lx.t !== 'word' && lx.t !== 'qid') return null;
      const c = foldName(lx.v);
      if (lx.t === 'word' && NEVER_BARE.has(c)) return null; // `T1.select` is a syntax error: such a column is quoted
      if (f.lone && !f.lone.includes(c)) return null;
      const next = resolveColumn(ctx, st, f.qual, c, f.aggOk);
      if (!next) return null;
      return setTop(next, { ...f, ph: 'operator', n: f.n + 1, single: f.n === 0 ? c : null });
    }
    case 'not':
      if (w === 'like' || w === 'glob') return setTop(st, { ...f, ph: 'operand', n: f.n + 1 });
      if (w === 'in') return setTop(st, { ...f, ph: 'inOpen' });
      if (lx.t === 'call' && lx.v.toLowerCase() === 'in') return inList(st, f);
      if (w === 'between') return betweenStart(st, f);
      return null;
    case 'inOpen':
      return lx.t === '(' ? inList(st, f) : null;
    case 'existsOpen':
      return lx.t === '(' ? push(setTop(st, { ...f, ph: 'operator', n: f.n + 1 }), groupFrame('exists', f.aggOk, 'sub')) : null;
    case 'operator':
      break;
  }
  // After a complete operand.
  const end: Step = { fin: { agg: f.agg, single: f.n === 1 ? f.single : null, num: f.n === 1 || (f.n === 2 && f.sign) ? f.num : null, star: f.star, plain: f.n === 1 && f.single !== null && f.qual === '' }, consumed: false };
  if (f.star !== undefined || f.lone) return end;
  if (lx.t === 'op' && (COMPARISON.has(lx.v) || ARITHMETIC.has(lx.v))) {
    if (f.bound && COMPARISON.has(lx.v)) return end;
    return setTop(st, { ...f, ph: 'operand', n: f.n + 1 });
  }
  if (f.bound) return end;
  if (w === 'and' || w === 'or' || w === 'is' || w === 'like' || w === 'glob') return setTop(st, { ...f, ph: 'operand', n: f.n + 1 });
  if (w === 'not') return setTop(st, { ...f, ph: 'not', n: f.n + 1 });
  if (w === 'in') return setTop(st, { ...f, ph: 'inOpen', n: f.n + 1 });
  if (lx.t === 'call' && lx.v.toLowerCase() === 'in') return inList(st, { ...f, n: f.n + 1 });
  if (w === 'between') return betweenStart(st, { ...f, n: f.n + 1 });
  return end;
}

function operand(ctx: Ctx, st: Stack, f: ExprFrame, lx: Lexeme, w: string): Step {
  if (f.lone && !((lx.t === 'num' && /^[1-9][0-9]?$/.test(lx.v)) || ((lx.t === 'word' || lx.t === 'qid') && f.lone.includes(foldName(lx.v))))) return null;
  const done = (g: ExprFrame, single: string | null = null, num: string | null = null): ExprFrame => ({
    ...g,
    ph: 'operator',
    n: g.n + 1,
    single: g.n === 0 ? single : null,
    num: g.n === 0 ? num : g.n === 1 && g.sign && num ? g.sign + num : null,
  });
  switch (lx.t) {
    case 'num':
      return setTop(st, done(f, null, lx.v));
    case 'str':
      return setTop(st, done(f));
    case '(':
      return push(setTop(st, done(f)), groupFrame('paren', f.aggOk, 'first'));
    case 'op':
      if (lx.v === '-' || lx.v === '+') return setTop(st, { ...f, n: f.n + 1, sign: f.n === 0 ? lx.v : f.sign });
      if (lx.v === '*' && f.starOk && f.n === 0 && starFits(ctx, st)) return setTop(st, { ...f, ph: 'operator', n: 1, star: null });
      return null;
    case 'qual': {
      const q = lx.v.toLowerCase();
      if (!qualifierOk(ctx, st, q)) return null;
      const next = setTop(st, { ...f, ph: 'qualcol', qual: q });
      // Some column of q must be able to follow (each is judged as the column lexeme would be).
      return qualifierColumns(ctx, st, q).some((c) => expr(ctx, next, next[next.length - 1] as ExprFrame, { t: 'word', v: c, ws: '' }) !== null) ? next : null;
    }
    case 'call': {
      const fn = lx.v.toLowerCase();
      if (fn === 'cast') return push(setTop(st, done(f)), { k: 'cast', ph: 'expr', aggOk: f.aggOk, agg: false }, newExpr(f.aggOk));
      if (fn === 'exists') return push(setTop(st, done(f)), groupFrame('exists', f.aggOk, 'sub'));
      const spec = FUNCTIONS.get(fn);
      if (!spec || (spec.agg === 'always' && !f.aggOk)) return null;
      const c: CallFrame = { k: 'call', fn, ph: 'first', argc: 0, distinct: false, aggOk: f.aggOk, agg: false };
      return push(setTop(st, done(f)), c);
    }
    case 'qid':
    case 'word': {
      if (lx.t === 'word') {
        if (LITERAL_WORDS.has(w)) return setTop(st, done(f));
        if (w === 'not') return setTop(st, { ...f, n: f.n + 1 });
        if (w === 'case') return push(setTop(st, done(f)), { k: 'case', ph: 'start', aggOk: f.aggOk, agg: false });
        if (w === 'exists') return setTop(st, { ...f, ph: 'existsOpen' });
        // A keyword SQLite also takes as a name (`key`, `match`, `left`) may be a column the schema or a step has.
        if (NEVER_BARE.has(w) || (RESERVED.has(w) && !knownColumn(ctx, st, w))) return null;
      }
      const c = foldName(lx.v);
      const next = resolveColumn(ctx, st, null, c, f.aggOk);
      return next ? setTop(next, done(f, c)) : null;
    }
    default:
      return null;
  }
}

/** Whether `c` is a column of some table or finished step. */
function knownColumn(ctx: Ctx, st: Stack, c: string): boolean {
  return ctx.catalog.columns.has(c) || [...chainOf(st).ctes.values()].some((cols) => cols.includes(c));
}

function groupFrame(k: GroupFrame['k'], aggOk: boolean, ph: GroupFrame['ph']): GroupFrame {
  return { k, ph, aggOk, agg: false };
}

function inList(st: Stack, f: ExprFrame): Stack {
  return push(setTop(st, { ...f, ph: 'operator' }), groupFrame('inlist', f.aggOk, 'first'));
}

function betweenStart(st: Stack, f: ExprFrame): Stack {
  const b: BetweenFrame = { k: 'between', ph: 'lo', aggOk: f.aggOk, agg: false };
  return push(setTop(st, { ...f, ph: 'operator' }), b, newExpr(f.aggOk, { bound: true }));
}

// ---------------------------------------------------------------------------------------------------------------
// Calls, parentheses, IN lists, EXISTS, BETWEEN, CASE, CAST.

export function call(st: Stack, f: CallFrame, lx: Lexeme): Step {
  const spec = FUNCTIONS.get(f.fn)!;
  const argAggOk = spec.agg === 'never' && f.aggOk;
  if (f.ph === 'first') {
    if (lx.t === ')') return finishCall(f, 0);
    if (kw(lx, 'distinct') && spec.agg !== 'never' && f.aggOk) return push(setTop(st, { ...f, ph: 'arg', distinct: true }), newExpr(false));
    if (lx.t === 'op' && lx.v === '*' && f.fn === 'count') return setTop(st, { ...f, ph: 'starClose' });
    return { re: push(setTop(st, { ...f, ph: 'arg' }), newExpr(argAggOk)) };
  }
  if (f.ph === 'starClose') return lx.t === ')' ? finishCall(f, 1) : null;
  if (f.ph === 'afterArg') {
    if (lx.t === ')') return finishCall(f, f.argc);
    if (lx.t === ',' && !f.distinct && f.argc < spec.max) return push(setTop(st, { ...f, ph: 'arg' }), newExpr(argAggOk));
  }
  return null;
}

function finishCall(f: CallFrame, argc: number): Step {
  const spec = FUNCTIONS.get(f.fn)!;
  if (argc < spec.min || argc > spec.max) return null;
  const isAgg = spec.agg === 'always' || (spec.agg === 'one-arg' && argc === 1);
  if (isAgg && !f.aggOk) return null;
  if (f.distinct && argc !== 1) return null;
  if (f.distinct && !isAgg) return null;
  return { fin: { agg: isAgg || f.agg }, consumed: true };
}

export function groupStep(st: Stack, f: GroupFrame, lx: Lexeme): Step {
  switch (f.ph) {
    case 'first':
      if (kw(lx, 'select')) return startQuery(setTop(st, { ...f, ph: 'close' }), f.k === 'inlist' ? 'in' : 'scalar');
      if (f.k === 'inlist' && lx.t === ')') return null;
      return { re: push(setTop(st, { ...f, ph: f.k === 'inlist' ? 'item' : 'close' }), newExpr(f.aggOk)) };
    case 'sub':
      return kw(lx, 'select') ? startQuery(setTop(st, { ...f, ph: 'close' }), 'exists') : null;
    case 'afterItem':
      if (lx.t === ',') return push(setTop(st, { ...f, ph: 'item' }), newExpr(f.aggOk));
      return lx.t === ')' ? { fin: { agg: f.agg }, consumed: true } : null;
    case 'close':
      return lx.t === ')' ? { fin: { agg: f.agg }, consumed: true } : null;
    default:
      return null;
  }
}

export function between(st: Stack, f: BetweenFrame, lx: Lexeme): Step {
  if (f.ph === 'and') return kw(lx, 'and') ? push(setTop(st, { ...f, ph: 'hi' }), newExpr(f.aggOk, { bound: true })) : null;
  if (f.ph === 'done') return { fin: { agg: f.agg }, consumed: false };
  return null;
}

export function caseExpr(st: Stack, f: CaseFrame, lx: Lexeme): Step {
  const w = word(lx);
  const sub = (ph: CaseFrame['ph']) => push(setTop(st, { ...f, ph }), newExpr(f.aggOk));
  switch (f.ph) {
    case 'start':
      if (w === 'when') return sub('when');
      return { re: push(setTop(st, { ...f, ph: 'base' }), newExpr(f.aggOk)) };
    case 'afterBase':
      return w === 'when' ? sub('when') : null;
    case 'afterWhen':
      return w === 'then' ? sub('then') : null;
    case 'afterThen':
      if (w === 'when') return sub('when');
      if (w === 'else') return sub('else');
      return w === 'end' ? { fin: { agg: f.agg }, consumed: true } : null;
    case 'afterElse':
      return w === 'end' ? { fin: { agg: f.agg }, consumed: true } : null;
    default:
      return null;
  }
}

export function cast(st: Stack, f: CastFrame, lx: Lexeme): Step {
  if (f.ph === 'as') return kw(lx, 'as') ? setTop(st, { ...f, ph: 'type' }) : null;
  if (f.ph === 'type') return lx.t === 'word' && TYPE_NAMES.has(word(lx)) ? setTop(st, { ...f, ph: 'close' }) : null;
  if (f.ph === 'close') return lx.t === ')' ? { fin: { agg: f.agg }, consumed: true } : null;
  return null;
}
