/**
 * The shortest valid close of a viable prefix, for a chain that reaches its token budget: each open construct gets
 * the least text that completes it (`NULL` for a missing operand, `)` for an open call or list, ` END` for a CASE,
 * the step's closing line `\n  )` and a final `SELECT * FROM <last step>` for an open step). A SELECT whose FROM
 * clause cannot end yet (the select list uses a column no source provides) is cut instead: the chain is closed
 * after its last finished step.
 */
import { FUNCTIONS, sqlName } from './catalog';
import type { CoreFrame, Ctx, Frame, Stack } from './frames';
import type { Pending } from './lexer';
import { chainOf, endFrom, qualifierColumns, sourceColumns } from './scope';
import { aliasChoices } from './selectCore';

/**
 * Texts that may complete the construct at the top of `stack` (or the first one below it that cannot end), best
 * first; the caller keeps the first that leaves the chain viable. Empty when there is no simple close.
 */
export function closeStep(ctx: Ctx, stack: Stack, pending: Pending | null, lastChar: string): string[] {
  const sp = lastChar === '' || /[\s(.]/.test(lastChar) ? '' : ' ';
  if (pending) {
    if (pending.kind === 'str') return ["'"];
    if (pending.kind === 'op') return [pending.text === '!' ? '=' : pending.text === '|' ? '|' : ' '];
    return pending.kind === 'qid' ? [] : [' '];
  }
  for (let i = stack.length - 1; i >= 0; i--) {
    const f = stack[i]!;
    const needs = f.k === 'core' ? coreNeeds(ctx, f, stack, i) : f.k === 'expr' && f.ph === 'qualcol' ? qualifierColumns(ctx, stack, f.qual) : frameNeeds(f, stack, i === stack.length - 1);
    if (needs === undefined) continue; // this construct can end here: what closes the one below?
    if (needs === null) return [];
    return (typeof needs === 'string' ? [needs] : needs).map((n) => (/^[\n),]/.test(n) ? n : sp + n));
  }
  return [];
}

/** What frame `f` needs before it can end (undefined: nothing; null: no simple close). */
function frameNeeds(f: Frame, stack: Stack, top: boolean): string | string[] | null | undefined {
  switch (f.k) {
    case 'expr':
      if (f.ph === 'operator') return undefined;
      if (f.ph === 'operand') return 'NULL';
      if (f.ph === 'not') return 'IN (NULL)';
      if (f.ph === 'inOpen') return '(NULL)';
      if (f.ph === 'existsOpen') return '(SELECT 1)';
      return null;
    case 'call': {
      const spec = FUNCTIONS.get(f.fn)!;
      const argc = f.ph === 'arg' ? f.argc + 1 : f.ph === 'starClose' ? 1 : f.argc;
      if (f.ph === 'first' && spec.min > 0) return `NULL${', NULL'.repeat(spec.min - 1)})`;
      const close = `${', NULL'.repeat(Math.max(0, spec.min - argc))})`;
      return [close, `, NULL${close}`]; // min(x, NULL): a scalar min where an aggregate may not stand
    }
    case 'paren':
    case 'inlist':
    case 'exists':
      if (f.ph === 'first') return 'NULL)';
      if (f.ph === 'sub') return 'SELECT 1)';
      return ')';
    case 'between':
      return f.ph === 'lo' || f.ph === 'and' ? 'AND NULL' : undefined;
    case 'case':
      if (f.ph === 'start' || f.ph === 'base' || f.ph === 'afterBase') return 'WHEN NULL THEN NULL END';
      if (f.ph === 'when' || f.ph === 'afterWhen') return 'THEN NULL END';
      return 'END';
    case 'cast':
      if (f.ph === 'expr' || f.ph === 'as') return 'AS TEXT)';
      return f.ph === 'type' ? 'TEXT)' : ')';
    case 'core':
      switch (f.ph) {
        case 'select':
        case 'item':
          return top ? '1' : undefined;
        case 'afterItem':
        case 'afterAlias':
          return undefined;
        case 'alias':
          return 'x1';
        case 'srcAlias':
          return aliasChoices(f);
        case 'orderBy':
          return 'BY 1';
        case 'limit':
        case 'offset':
          return '1';
        case 'joinKw':
        case 'outer':
          return 'JOIN';
        case 'using':
        case 'usingCol':
          return null;
        default:
          return undefined;
      }
    case 'query':
      return f.ph === 'afterOp' || f.ph === 'afterUnion' ? null : undefined;
    case 'chain': {
      // An open step with nothing in it yet: cut back to the last finished step when there is one.
      const first = chainOf(stack).ctes.size === 0;
      switch (f.ph) {
        case 'start':
          return 'SELECT 1';
        case 'cteName':
          return first ? '\n  s1' : null;
        case 'cteAs':
          return first ? 'AS' : null;
        case 'cteOpen':
          return first ? '(' : null;
        case 'inCte':
          return top ? (first ? '\n    SELECT 1' : null) : '\n  )';
        case 'cteClose':
          return '\n  )';
        case 'afterCte': {
          const last = [...chainOf(stack).ctes.keys()].at(-1);
          return last ? `\nSELECT * FROM ${last}` : null;
        }
        case 'final':
        case 'done':
          return undefined;
        default:
          return null;
      }
    }
  }
}

/** What a SELECT needs before it can end: `frameNeeds`, or a source for the select list's unresolved columns. */
function coreNeeds(ctx: Ctx, f: CoreFrame, stack: Stack, i: number): string | string[] | null | undefined {
  if (f.ph === 'from') return [...chainOf(stack).ctes.keys(), ...ctx.catalog.tables.keys()];
  if (f.ph === 'groupBy') return f.srcs.flatMap((s) => s.cols.map((c) => `BY ${s.qual}.${c}`));
  // The select list or the FROM clause ends here (a child expression on top ends first).
  const child = i < stack.length - 1;
  const rank0 = f.ph === 'afterItem' || f.ph === 'afterAlias' || (child && f.ph === 'item');
  const rank1 = f.ph === 'afterSrc' || f.ph === 'afterOn' || f.ph === 'usingNext' || (child && f.ph === 'on');
  // After UNION …, a select list shorter than the first SELECT's gets more columns (the item being written counts).
  const written = f.items.length + (f.ph === 'item' && i < stack.length - 1 ? 1 : 0);
  const listEnd = f.ph === 'afterItem' || f.ph === 'afterAlias' || (f.ph === 'item' && i < stack.length - 1);
  if (listEnd && f.compound && f.items.every((it) => 'name' in it) && written < f.compound.length) return ', 1';
  const open = (rank0 && (f.deferred.length > 0 || f.items.some((it) => 'star' in it))) || (rank1 && !f.fromDone && endFrom(stack, i, f) === null);
  if (!open) return frameNeeds(f, stack, i === stack.length - 1);
  // A source for the first column no source provides yet: a table or step that has it (and, for `q.c`, every
  // column the select list qualified with q), under the alias q.
  const ref = f.deferred.find((r) => (r.q === null ? !f.srcs.some((s) => s.cols.includes(r.c)) : !f.srcs.some((s) => s.qual === r.q))) ?? f.deferred[0];
  const names = [...chainOf(stack).ctes.keys(), ...ctx.catalog.tables.keys()];
  const want = ref ? (ref.q === null ? [ref.c] : f.deferred.filter((r) => r.q === ref.q).map((r) => r.c)) : [];
  const srcs = ref ? names.filter((n) => want.every((c) => sourceColumns(ctx, stack, n)!.includes(c))) : names;
  // Each source under the alias of an unbound qualifier whose columns it has, then under its own name.
  const unbound = [...new Set(f.deferred.filter((r) => r.q !== null && !f.srcs.some((s) => s.qual === r.q)).map((r) => r.q!))];
  const out: string[] = [];
  for (const src of srcs) {
    const cols = sourceColumns(ctx, stack, src)!;
    const text = sqlName(src);
    for (const q of unbound) if (q !== src && f.deferred.every((r) => r.q !== q || cols.includes(r.c))) out.push(`${rank0 ? 'FROM' : 'JOIN'} ${text} AS ${q}`);
    out.push(`${rank0 ? 'FROM' : 'JOIN'} ${text}`);
  }
  return out;
}
