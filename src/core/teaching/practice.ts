/**
 * Assesses a learner's chain against an exercise's reference chain, step by step, by execution: each learner step
 * is matched against every reference step (a different route is fine), and the final result decides success. The
 * feedback of a step that matches nothing is the difference from the closest reference step, in plain words.
 */
import { aggregateCalls, parseSqlite, type Node } from '../sqlAst';
import type { QueryOutcome, SqlValue } from '../types';
import { diffResult, matchColumns, type ResultDiff, type Rows } from './stepMatch';
import { teachingSettings } from './settings';

/** One step as it ran: its own SQL (the CTE body, or the final query) and the outcome of its prefix. */
export interface RanStep {
  sql: string;
  outcome: QueryOutcome;
}

export type StepFeedback =
  /** Equal rows (up to column order and naming) to reference step `ref`; `extraColumns` are kept besides. */
  | { kind: 'match'; ref: number; extraColumns: string[]; text: string[] }
  /** No reference step has these rows; `ref` is the closest one, `diff` what differs from it. */
  | { kind: 'differs'; ref: number; diff: ResultDiff; text: string[] }
  /** Not compared (the step failed, or has too many rows). */
  | { kind: 'none'; text: string[] };

export interface Assessment {
  /** One per learner step, the final query last. */
  steps: StepFeedback[];
  /** The learner's final result equals the reference's. */
  solved: boolean;
  /** How many reference steps the learner has reached: one past the furthest reference step matched. */
  reached: number;
}

/**
 * Compares the learner's steps (final query last) with the reference's (final query last). `ordered`: the
 * exercise's answer must come in the reference's row order.
 */
export function assessChain(learner: RanStep[], reference: RanStep[], ordered: boolean): Assessment {
  const refRows = reference.map((r) => rowsOf(r.outcome));
  const refGroups = reference.map((r) => groupsRows(r.sql));
  const refGrouped = groupedSoFar(refGroups);
  const learnerGroups = learner.map((s) => groupsRows(s.sql));
  const learnerGrouped = groupedSoFar(learnerGroups);
  const lastRef = reference.length - 1;
  let reached = 0;
  let solved = false;
  const steps = learner.map((step, i): StepFeedback => {
    const isFinal = i === learner.length - 1;
    const rows = rowsOf(step.outcome);
    if (!step.outcome.ok) return { kind: 'none', text: [] };
    if (!rows) return { kind: 'none', text: [`Over ${teachingSettings().rowCap.toLocaleString('en-US')} rows: too many to compare.`] };
    // The final query is compared with the reference's final query; a step with every reference step.
    const candidates = isFinal ? [lastRef] : reference.map((_, k) => k);
    const matches = candidates.filter((k) => refRows[k] && matchColumns(rows, refRows[k]!, isFinal && ordered && k === lastRef));
    if (matches.length > 0) {
      const k = matches.reduce((best, k) => (Math.abs(k - i) < Math.abs(best - i) || (Math.abs(k - i) === Math.abs(best - i) && k > best) ? k : best));
      reached = Math.max(reached, Math.max(...matches) + 1);
      const pairing = matchColumns(rows, refRows[k]!, isFinal && ordered && k === lastRef)!;
      const extraColumns = rows.columns.filter((_, c) => !pairing.includes(c));
      if (isFinal && extraColumns.length === 0) solved = true;
      return { kind: 'match', ref: k, extraColumns, text: matchText(k, lastRef, extraColumns, isFinal) };
    }
    let best: { k: number; diff: ResultDiff } | null = null;
    for (const k of candidates) {
      if (!refRows[k]) continue;
      const diff = diffResult(rows, refRows[k]!, { learner: learnerGrouped[i]!, reference: refGrouped[k]!, inStep: learnerGroups[i]! || refGroups[k]! });
      if (!best || diff.similarity > best.diff.similarity || (diff.similarity === best.diff.similarity && Math.abs(k - i) < Math.abs(best.k - i))) best = { k, diff };
    }
    if (!best) return { kind: 'none', text: ['The reference step could not be run.'] };
    const inOrder = isFinal && ordered && matchColumns(rows, refRows[best.k]!, false) !== null;
    return { kind: 'differs', ref: best.k, diff: best.diff, text: differsText(best.k, lastRef, best.diff, inOrder) };
  });
  return { steps, solved, reached };
}

/** "reference step 2", or "the reference's final query". */
export function referenceLabel(k: number, lastRef: number): string {
  return k === lastRef ? "the reference's final query" : `reference step ${k + 1}`;
}

function matchText(k: number, lastRef: number, extra: string[], isFinal: boolean): string[] {
  const out = [isFinal && k === lastRef && extra.length === 0 ? 'Same result as the reference: solved.' : `Matches ${referenceLabel(k, lastRef)}.`];
  if (extra.length > 0) out.push(`${isFinal ? 'It' : 'It also'} keeps ${names(extra)}, which ${referenceLabel(k, lastRef)} does not${isFinal ? ': the answer has extra columns' : ''}.`);
  return out;
}

function differsText(k: number, lastRef: number, d: ResultDiff, outOfOrder: boolean): string[] {
  const { examples } = teachingSettings();
  const label = referenceLabel(k, lastRef);
  if (outOfOrder) return [`Same rows as ${label}, in another order: sort them as the question asks.`];
  const out = [`Differs from ${label} (the closest):`];
  const g = d.grouping;
  if (g) {
    if (g.learnerGroups !== null && g.referenceGroups !== null) out.push(`Wrong grouping: ${label} has ${plural(g.referenceGroups, 'group')}, yours has ${g.learnerGroups}.`);
    else if (g.referenceGroups !== null) out.push(`Wrong grouping: ${label} has grouped rows (${plural(g.referenceGroups, 'group')}); yours are not grouped.`);
    else out.push(`Wrong grouping: yours has grouped rows (${plural(g.learnerGroups ?? 0, 'group')}); ${label} does not group.`);
  }
  for (const w of d.wrongColumns) {
    const yours = w.learnerExamples.length ? `: yours has e.g. ${w.learnerExamples.map(formatCell).join(', ')}` : '';
    const theirs = w.referenceExamples.length ? `${yours ? ';' : ':'} the reference has e.g. ${w.referenceExamples.map(formatCell).join(', ')}` : '';
    out.push(`Column "${w.learner}" holds other values than "${w.reference}" in ${label}${yours}${theirs}.`);
  }
  if (d.missingColumns.length > 0) out.push(`Column missing: ${names(d.missingColumns)}.`);
  if (d.extraColumns.length > 0) out.push(`Not in ${label}: ${d.extraColumns.length === 1 ? 'column' : 'columns'} ${names(d.extraColumns)}.`);
  if (d.duplicates) {
    const ex = d.duplicates.examples.slice(0, examples).map(formatRow).join('; ');
    out.push(`Duplicates: yours has ${plural(d.duplicates.learnerRows, 'row')} where ${label} has ${d.duplicates.referenceRows}, the same rows repeated a different number of times${ex ? `, e.g. ${ex}` : ''}.`);
  } else if (d.comparedColumns.length > 0) {
    if (d.missingRows.count > 0) out.push(`${plural(d.missingRows.count, 'row')} missing, e.g. ${d.missingRows.examples.map(formatRow).join('; ')}.`);
    if (d.extraRows.count > 0)
      out.push(`${plural(d.extraRows.count, 'extra row')}, e.g. ${d.extraRows.examples.map(formatRow).join('; ')}.${d.missingRows.count === 0 && !g ? ' Every reference row is there: is a filter missing?' : ''}`);
  }
  const otherColumns = d.missingColumns.length + d.extraColumns.length + d.wrongColumns.length > 0;
  if (d.comparedColumns.length > 0 && otherColumns) {
    const on = names(d.comparedColumns.map(([l]) => l));
    out.push(d.missingRows.count + d.extraRows.count === 0 ? `On ${on} the rows agree.` : `Rows compared on ${on}.`);
  }
  if (out.length === 1) out.push('The rows differ.');
  return out;
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

function names(cols: string[]): string {
  return cols.map((c) => `"${c}"`).join(', ');
}

function formatRow(row: SqlValue[]): string {
  return `(${row.map(formatCell).join(', ')})`;
}

function formatCell(v: SqlValue): string {
  if (v === null) return 'NULL';
  if (v instanceof Uint8Array) return `<blob ${v.byteLength} B>`;
  if (typeof v === 'number') return String(v);
  return v.length > 30 ? `'${v.slice(0, 29)}…'` : `'${v}'`;
}

function rowsOf(outcome: QueryOutcome): Rows | null {
  if (!outcome.ok || outcome.result.truncated) return null;
  return { columns: outcome.result.columns, rows: outcome.result.rows };
}

/** For each step, whether it or a step before it groups rows (the step's rows are then groups, or built from them). */
function groupedSoFar(groups: boolean[]): boolean[] {
  let grouped = false;
  return groups.map((g) => (grouped ||= g));
}

/** Whether a step's own SQL groups its rows: a GROUP BY, or an aggregate in its select list. */
export function groupsRows(sql: string): boolean {
  let stmt: Node | undefined;
  try {
    stmt = parseSqlite(sql).statements.find((s) => s.type !== 'empty');
  } catch {
    return false;
  }
  if (!stmt || stmt.type !== 'select_stmt') return false;
  const clauses = (stmt.clauses as Node[]) ?? [];
  if (clauses.some((c) => c.type === 'group_by_clause')) return true;
  const select = clauses.find((c) => c.type === 'select_clause');
  return !!select && aggregateCalls(select).length > 0;
}
