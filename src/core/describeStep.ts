/** A one-line note for a step written without one (by a model or by hand), from the step's own SQL. */
import { aggregateCalls, fromSources, parseSqlite, textOf, type Node } from './sqlAst';
import { baseNote, combineNote, finalNote, groupNote } from './stepNotes';

export function describeStep(sql: string): string {
  let stmt: Node | undefined;
  let src = sql;
  try {
    const parsed = parseSqlite(sql);
    src = parsed.text;
    stmt = parsed.statements.find((s) => s.type !== 'empty');
  } catch {
    return '';
  }
  if (!stmt) return '';
  if (stmt.type === 'compound_select_stmt') {
    const ops: string[] = [];
    const walk = (n: Node): void => {
      if (n.type !== 'compound_select_stmt') return;
      walk(n.left as Node);
      const op = n.operator;
      ops.push((Array.isArray(op) ? op : [op]).map((k) => String((k as Node).name ?? (k as Node).text).toUpperCase()).join(' '));
    };
    walk(stmt);
    return combineNote(ops, null, null);
  }
  if (stmt.type !== 'select_stmt') return '';
  const clauses = (stmt.clauses as Node[]) ?? [];
  const get = (t: string) => clauses.find((c) => c.type === t);
  const select = get('select_clause');
  const from = get('from_clause');
  const where = get('where_clause');
  const group = get('group_by_clause');
  const having = get('having_clause');
  const order = get('order_by_clause');
  const limit = get('limit_clause');
  const text = (n: Node | undefined) => (n ? textOf(src, n) : '');
  if (group) {
    const aggs = select ? aggregateCalls(select).map((a) => text(a)) : [];
    return groupNote(text(group.columns as Node), aggs) + (having ? `, keep groups where ${text(having.expr as Node)}` : '');
  }
  const sources = from ? fromSources(from.expr as Node).map((s) => s.table ?? s.alias).filter(Boolean) : [];
  const star = select && text(select.columns as Node).trim() === '*';
  if ((where || sources.length > 1) && (star || !order)) return baseNote(sources, where ? text(where.expr as Node) : null);
  const isDistinct = !!select && ((select.modifiers as Node[]) ?? []).some((m) => m.type === 'select_distinct');
  return finalNote(select ? text(select.columns as Node) : '', {
    distinct: isDistinct,
    order: order ? text(order.specifications as Node) : null,
    limit: limit ? text(limit) : null,
    aggregate: !!select && aggregateCalls(select).length > 0,
  });
}
