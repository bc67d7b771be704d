/**
 * Whether a SELECT whose FROM clause is still open can still bind every column its select list (and ON clauses)
 * wrote: each unbound qualifier `q.` needs a source of its own that has all of q's columns (a table or step named q,
 * or any one under the alias q), and each bare column must end up in exactly one source. Checked when a column is
 * deferred and when a source is added, so the decoder never reaches a FROM clause it cannot end. A small search over
 * the sources each qualifier could be; bare columns that no chosen source has get one more source each.
 */
import { TABLE_ALIAS } from './catalog';
import type { CoreFrame, Ctx, Stack } from './frames';
import { chainOf, sourceColumns } from './scope';

/** Searches past this many combinations are assumed to succeed (the check then only errs on the lenient side). */
const MAX_TRIES = 400;

export function feasible(ctx: Ctx, stack: Stack, core: CoreFrame, maxSources: number, outer: (c: string) => boolean): boolean {
  const names = [...chainOf(stack).ctes.keys(), ...ctx.catalog.tables.keys()];
  const cols = (n: string) => sourceColumns(ctx, stack, n)!;
  const bound = new Set(core.srcs.map((s) => s.qual));
  // A qualifier already bound must have its columns.
  for (const r of core.deferred) if (r.q !== null && bound.has(r.q) && !core.srcs.find((s) => s.qual === r.q)!.cols.includes(r.c)) return false;
  const need = new Map<string, string[]>();
  for (const r of core.deferred) if (r.q !== null && !bound.has(r.q)) need.set(r.q, [...(need.get(r.q) ?? []), r.c]);
  const bare = [...new Set([...core.deferred.filter((r) => r.q === null).map((r) => r.c), ...core.onRefs])];
  const quals = [...need.keys()];
  const options = quals.map((q) => {
    const want = need.get(q)!;
    const named = names.includes(q) ? [q] : [];
    const pool = TABLE_ALIAS.test(q) ? names : named;
    return pool.filter((n) => want.every((c) => cols(n).includes(c)));
  });
  if (options.some((o) => o.length === 0)) return false;
  let tries = 0;
  const chosen: (readonly string[])[] = core.srcs.map((s) => s.cols);
  const count = (c: string, srcs: (readonly string[])[]) => srcs.reduce((k, s) => k + (s.includes(c) ? 1 : 0), 0);
  // Every bare column in exactly one source: more sources for the uncovered ones (those covering most first).
  const bareOk = (srcs: (readonly string[])[]): boolean => {
    if (++tries > MAX_TRIES) return true;
    if (srcs.length > maxSources || bare.some((c) => count(c, srcs) >= 2)) return false;
    const open = bare.filter((c) => count(c, srcs) === 0 && !outer(c));
    if (open.length === 0) return true;
    const cover = (x: readonly string[]) => open.filter((c) => x.includes(c)).length;
    const extras = names.map(cols).filter((x) => x.includes(open[0]!)).sort((a, b) => cover(b) - cover(a));
    return extras.some((x) => bareOk([...srcs, x]));
  };
  const pick = (i: number): boolean => {
    if (++tries > MAX_TRIES) return true;
    if (i === quals.length) return bareOk(chosen);
    for (const n of options[i]!) {
      chosen.push(cols(n));
      const ok = pick(i + 1);
      chosen.pop();
      if (ok) return true;
    }
    return false;
  };
  return pick(0);
}
