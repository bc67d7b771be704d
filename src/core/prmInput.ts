/**
 * What the PRM reads, built the same way for its training data (scripts/make-prm-data.ts) and in the studio:
 * the policy's prompt, then every step as the policy wrote it followed by a compact execution summary of that
 * step's view (ok with row count, columns and first rows, or the error). The PRM scores each step at the end of
 * its segment. Without execution (`withExecution: false`) the summaries are left out: the ablation of issue 4.
 */
import type { QueryOutcome, SqlValue } from './types';

const STEP_END = /\n {2}\),?\n/g;

/** Splits CoCTE text into step chunks: each CTE up to and including its closing `  ),` line, then the final query. */
export function stepChunks(text: string): string[] {
  const out: string[] = [];
  let last = 0;
  for (let m = STEP_END.exec(text); m; m = STEP_END.exec(text)) {
    out.push(text.slice(last, m.index + m[0].length));
    last = m.index + m[0].length;
  }
  STEP_END.lastIndex = 0;
  if (text.slice(last).trim()) out.push(text.slice(last));
  return out;
}

/** One line: `-- ok 12 rows (Name, Age): ('Joe', 52) ('Tim', 32)` or `-- error: no such column: x`. */
export function executionSummary(o: QueryOutcome, maxChars = 160): string {
  if (!o.ok) return cap(`-- error: ${o.error.replace(/\s+/g, ' ')}`, maxChars);
  const r = o.result;
  const rows = r.rows.slice(0, 2).map((row) => `(${row.map(valueText).join(', ')})`);
  return cap(`-- ok ${r.totalRows} row${r.totalRows === 1 ? '' : 's'} (${r.columns.join(', ')})${rows.length ? ': ' + rows.join(' ') : ''}`, maxChars);
}

/** The text segments the PRM reads: the prompt, then one segment per step (step text + summary line). */
export function prmSegments(prompt: string, chunks: string[], outcomes: QueryOutcome[], withExecution = true): string[] {
  return [prompt, ...chunks.map((c, i) => (withExecution && outcomes[i] ? `${c.replace(/\n?$/, '\n')}${executionSummary(outcomes[i]!)}\n` : c.replace(/\n?$/, '\n')))];
}

function valueText(v: SqlValue): string {
  if (v === null) return 'NULL';
  if (v instanceof Uint8Array) return '<blob>';
  if (typeof v === 'number') return String(Number.isInteger(v) ? v : Number(v.toPrecision(6)));
  return `'${v.length > 24 ? v.slice(0, 24) + '…' : v}'`;
}

function cap(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}
