/**
 * The prefix checker's grammar: a pushdown state machine over the lexemes of lexer.ts. `feed` takes the parser
 * stack (frames.ts) and one lexeme and returns the new stack, or null when no valid CoCTE chain can continue that way.
 * This file holds the CoCTE frame (`WITH name AS ( … ), …` then the final SELECT, laid out so that every step ends on
 * a line `  ),` or `  )`), queries (SELECT cores joined by UNION / INTERSECT / EXCEPT) and the dispatch to the frame
 * on top; a SELECT core is selectCore.ts's, an expression expressions.ts's. Names resolve as scope.ts says.
 */
import type { Lexeme } from './lexer';
import { newCore, type ChainFrame, type CaseFrame, type Ctx, type Done, type Frame, type QueryFrame, type Stack } from './frames';
import { between, call, caseExpr, cast, expr, groupStep } from './expressions';
import { core, coreChild } from './selectCore';
import { isStack, kw, newName, push, setTop, startQuery, word, type Step } from './steps';

/** Feeds one lexeme to the stack; null when the text can no longer become a valid chain. */
export function feed(ctx: Ctx, stack: Stack, lx: Lexeme): Stack | null {
  if (!layoutOk(stack, lx)) return null;
  let st = stack;
  for (let guard = 0; guard < 64; guard++) {
    const top = st[st.length - 1]!;
    const r = handle(ctx, st, top, lx);
    if (r === null) return null;
    if (isStack(r)) return tooDeep(r) ? null : r;
    if ('re' in r) {
      st = r.re;
      continue;
    }
    if (st.length < 2) return null;
    const merged = onChild(ctx, st.slice(0, -1), r.fin);
    if (!merged) return null;
    if (r.consumed) return merged;
    st = merged;
  }
  return null;
}

function handle(ctx: Ctx, st: Stack, f: Frame, lx: Lexeme): Step {
  // A `)` on a new line closes a step (layoutOk), never a call, a list or a subquery.
  if (lx.t === ')' && lx.ws.includes('\n') && (f.k === 'call' || f.k === 'paren' || f.k === 'inlist' || f.k === 'exists' || f.k === 'cast')) return null;
  switch (f.k) {
    case 'chain':
      return chain(st, f, lx);
    case 'query':
      return query(st, f, lx);
    case 'core':
      return core(ctx, st, f, lx);
    case 'expr':
      return expr(ctx, st, f, lx);
    case 'call':
      return call(st, f, lx);
    case 'paren':
    case 'inlist':
    case 'exists':
      return groupStep(st, f, lx);
    case 'between':
      return between(st, f, lx);
    case 'case':
      return caseExpr(st, f, lx);
    case 'cast':
      return cast(st, f, lx);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The CoCTE frame.

function chain(st: Stack, f: ChainFrame, lx: Lexeme): Step {
  switch (f.ph) {
    case 'start':
      if (kw(lx, 'with')) return setTop(st, { ...f, ph: 'cteName' });
      if (kw(lx, 'select')) return startQuery(setTop(st, { ...f, ph: 'final' }), 'final');
      return null;
    case 'cteName': {
      if (lx.t !== 'word' || lx.ws !== '\n  ') return null; // each step name starts its own line
      const w = lx.v.toLowerCase();
      if (!newName(w) || f.ctes.has(w)) return null;
      return setTop(st, { ...f, ph: 'cteAs', name: w });
    }
    case 'cteAs':
      return kw(lx, 'as') ? setTop(st, { ...f, ph: 'cteOpen' }) : null;
    case 'cteOpen':
      if (lx.t !== '(') return null;
      return setTop(st, { ...f, ph: 'inCte' });
    case 'inCte':
      // The body starts with SELECT.
      return kw(lx, 'select') ? startQuery(st, 'cte') : null;
    case 'cteClose': {
      // A step ends on its own line, `  )`: the decoder and the step runner find step boundaries there.
      if (lx.t !== ')' || lx.ws !== '\n  ') return null;
      const ctes = new Map(f.ctes);
      ctes.set(f.name, f.cols);
      return setTop(st, { ...f, ph: 'afterCte', ctes });
    }
    case 'afterCte':
      if (lx.t === ',' && lx.ws === '') return setTop(st, { ...f, ph: 'cteName' });
      if (kw(lx, 'select') && lx.ws === '\n') return startQuery(setTop(st, { ...f, ph: 'final' }), 'final');
      return null;
    case 'final':
      return null;
    case 'done':
      return lx.t === 'eof' ? st : null;
  }
}

/**
 * The CoCTE layout (how every training chain is written, and what step boundaries are found by): single spaces
 * within a line; a line break only before a clause of the step's or final query (`\n    FROM` inside a step,
 * `\nFROM` in the final query), before a step name (`\n  s2`) or a step's closing `\n  )`.
 */
function layoutOk(stack: Stack, lx: Lexeme): boolean {
  const ws = lx.ws;
  if (ws === '' || lx.t === 'eof') return true;
  const chain = stack[0] as ChainFrame;
  if (ws === ' ') return !(stack.length === 1 && (chain.ph === 'afterCte' || chain.ph === 'cteName' || chain.ph === 'start'));
  const w = lx.t === 'word' ? lx.v.toLowerCase() : '';
  switch (chain.ph) {
    case 'inCte':
      return (ws === '\n    ' && LINE_WORDS.has(w)) || (ws === '\n  ' && lx.t === ')');
    case 'final':
      return ws === '\n' && LINE_WORDS.has(w);
    case 'cteName':
      return ws === '\n  ';
    case 'afterCte':
      return ws === '\n' && w === 'select';
    default:
      return false;
  }
}

/**
 * Whether whitespace still being written can lead to a lexeme (see layoutOk): a space where one may stand, or the
 * beginning of a line break after which some lexeme is accepted (`feeds` tries one).
 */
export function whitespaceOk(stack: Stack, ws: string, feeds: (lx: Lexeme) => boolean): boolean {
  if (ws === '') return true;
  const chain = stack[0] as ChainFrame;
  if (ws === ' ') return !(stack.length === 1 && (chain.ph === 'afterCte' || chain.ph === 'cteName' || chain.ph === 'start'));
  const breaks = chain.ph === 'inCte' ? ['\n    ', '\n  '] : chain.ph === 'final' || chain.ph === 'afterCte' ? ['\n'] : chain.ph === 'cteName' ? ['\n  '] : [];
  const next: Lexeme[] = [];
  for (const b of breaks.filter((x) => x.startsWith(ws))) {
    next.push({ t: ')', ws: b }, { t: 'word', v: 'zq_new_name', ws: b });
    for (const w of LINE_WORDS) next.push({ t: 'word', v: w, ws: b });
  }
  return next.some(feeds);
}

const LINE_WORDS = new Set(['select', 'from', 'where', 'group', 'order', 'limit', 'union', 'intersect', 'except']);
/** Bounds past which a small model is looping, not writing a query (Spider's gold stays well inside them). */
const MAX_CALL_DEPTH = 3;
const MAX_GROUP_DEPTH = 6;

/** Calls nested past MAX_CALL_DEPTH (`replace(replace(…`), or parentheses past MAX_GROUP_DEPTH. */
function tooDeep(st: Stack): boolean {
  let calls = 0;
  let groups = 0;
  for (const f of st) {
    if (f.k === 'call' || f.k === 'cast') calls++;
    if (f.k === 'call' || f.k === 'cast' || f.k === 'paren' || f.k === 'inlist' || f.k === 'exists') groups++;
    if (f.k === 'expr' && (f.ph === 'inOpen' || f.ph === 'existsOpen')) groups++; // its `(` must still come
  }
  return calls > MAX_CALL_DEPTH || groups > MAX_GROUP_DEPTH;
}

// ---------------------------------------------------------------------------------------------------------------
// Queries: SELECT cores joined by UNION / INTERSECT / EXCEPT.

function query(st: Stack, f: QueryFrame, lx: Lexeme): Step {
  const w = word(lx);
  if (f.ph === 'afterCore') {
    if (!f.closed && (w === 'union' || w === 'intersect' || w === 'except')) return setTop(st, { ...f, ph: w === 'union' ? 'afterUnion' : 'afterOp' });
    if ((f.role === 'scalar' || f.role === 'in') && f.outs!.length !== 1) return null;
    return { fin: { agg: false, outs: f.outs! }, consumed: false };
  }
  if (f.ph === 'afterUnion' && w === 'all') return setTop(st, { ...f, ph: 'afterOp' });
  if ((f.ph === 'afterOp' || f.ph === 'afterUnion') && w === 'select') return push(setTop(st, { ...f, ph: 'core' }), newCore(f.outs!.length, f.outs, f.match));
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// A finished frame handed to the frame below it.

function onChild(ctx: Ctx, st: Stack, d: Done): Stack | null {
  const f = st[st.length - 1]!;
  switch (f.k) {
    case 'chain':
      if (f.ph === 'inCte') return setTop(st, { ...f, ph: 'cteClose', cols: d.outs ?? [] });
      if (f.ph === 'final') return setTop(st, { ...f, ph: 'done' });
      return null;
    case 'query':
      return setTop(st, { ...f, ph: 'afterCore', outs: f.outs ?? d.outs!, closed: d.ordered === true, match: f.outs ? f.match : (d.match ?? []) });
    case 'core':
      return coreChild(st, f, d);
    case 'expr':
      return setTop(st, { ...f, agg: f.agg || d.agg });
    case 'call':
      return setTop(st, { ...f, ph: 'afterArg', argc: f.argc + 1, agg: f.agg || d.agg });
    case 'paren':
    case 'inlist':
    case 'exists':
      return setTop(st, { ...f, ph: f.ph === 'item' ? 'afterItem' : f.ph, agg: f.agg || d.agg });
    case 'between':
      return setTop(st, { ...f, ph: f.ph === 'lo' ? 'and' : 'done', agg: f.agg || d.agg });
    case 'case': {
      const next: Partial<Record<CaseFrame['ph'], CaseFrame['ph']>> = { base: 'afterBase', when: 'afterWhen', then: 'afterThen', else: 'afterElse' };
      const ph = next[f.ph];
      return ph ? setTop(st, { ...f, ph, agg: f.agg || d.agg }) : null;
    }
    case 'cast':
      return f.ph === 'expr' ? setTop(st, { ...f, ph: 'as', agg: f.agg || d.agg }) : null;
  }
}

