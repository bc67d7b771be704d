/**
 * What the prefix checker's grammar files share: a handler's answer (Step) and small stack helpers.
 */
import { FUNCTIONS, IDENT, RESERVED } from './catalog';
import type { Lexeme } from './lexer';
import { newCore, type Done, type Frame, type QueryFrame, type QueryRole, type Stack } from './frames';
import { replaceAt } from './scope';

/** A handler's answer: the lexeme consumed (new stack), handed on unconsumed (`re`), the frame finished, or invalid. */
export type Step = Stack | { re: Stack } | { fin: Done; consumed: boolean } | null;

export const isStack = (r: NonNullable<Step>): r is Stack => Array.isArray(r);
export const kw = (lx: Lexeme, w: string) => lx.t === 'word' && lx.v.toLowerCase() === w;
export const word = (lx: Lexeme) => (lx.t === 'word' ? lx.v.toLowerCase() : '');
export const setTop = (st: Stack, f: Frame): Stack => replaceAt(st, st.length - 1, f);
export const push = (st: Stack, ...fs: Frame[]): Stack => [...st, ...fs];

/** A new query (its SELECT keyword just read) on top of `st`. */
export function startQuery(st: Stack, role: QueryRole): Stack {
  const q: QueryFrame = { k: 'query', role, ph: 'core', outs: null, closed: false, match: [] };
  return push(st, q, newCore(role === 'scalar' || role === 'in' ? 1 : Infinity, null));
}

/** A name the chain makes up (CTE, alias, output column): an identifier that is no reserved word. */
export function newName(w: string): boolean {
  return IDENT.test(w) && !RESERVED.has(w) && !FUNCTIONS.has(w);
}
