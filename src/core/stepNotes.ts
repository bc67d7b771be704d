/** Deterministic one-line English notes for decomposed steps. */

const MAX = 70;

/** Collapses whitespace and shortens to about MAX characters. */
export function short(sql: string, max = MAX): string {
  const s = sql.replace(/\s+/g, ' ').trim();
  return s.length <= max ? s : s.slice(0, max - 1).trimEnd() + '…';
}

export function baseNote(tables: string[], where: string | null): string {
  const names = tables.length ? tables.join(', ') : 'the source';
  if (tables.length > 1) return where ? `Join ${names} and keep rows where ${short(where)}` : `Join ${names}`;
  return where ? `Keep rows of ${names} where ${short(where)}` : `Read ${names}`;
}

export function groupNote(keys: string, aggregates: string[]): string {
  const aggs = aggregates.length ? ` and compute ${short(aggregates.join(', '), 50)}` : '';
  return `Group by ${short(keys, 40)}${aggs}`;
}

export function havingNote(having: string): string {
  return `Keep groups where ${short(having)}`;
}

export function finalNote(columns: string, opts: { distinct: boolean; order: string | null; limit: string | null; aggregate: boolean }): string {
  let s = `${opts.aggregate ? 'Compute' : 'Return'} ${opts.distinct ? 'distinct ' : ''}${short(columns, 50)}`;
  if (opts.order) s += `, ordered by ${short(opts.order, 30)}`;
  if (opts.limit) s += `, first ${short(opts.limit, 12)}`;
  return s;
}

export function subqueryNote(note: string): string {
  return `Subquery: ${note.charAt(0).toLowerCase()}${note.slice(1)}`;
}

export function branchNote(op: string, k: number, note: string): string {
  return `${op} branch ${k}: ${note.charAt(0).toLowerCase()}${note.slice(1)}`;
}

export function combineNote(ops: string[], order: string | null, limit: string | null): string {
  let s = `Combine the branches with ${[...new Set(ops)].join(' / ')}`;
  if (order) s += `, ordered by ${short(order, 30)}`;
  if (limit) s += `, first ${short(limit, 12)}`;
  return s;
}
