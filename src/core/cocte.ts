/**
 * CoCTE text <-> trajectory.
 *
 * Canonical text:
 *   WITH
 *     -- note of s1
 *     s1 AS (
 *       SELECT …
 *     ),
 *     -- note of s2
 *     s2 AS (
 *       SELECT …
 *     )
 *   -- note of the final query
 *   SELECT …
 *
 * `printCoCTE(parseCoCTE(printCoCTE(t)).trajectory) === printCoCTE(t)` and `parseCoCTE(printCoCTE(t)).trajectory`
 * deep-equals `t` for every normalized trajectory (see `normalizeTrajectory`). `parseCoCTE` accepts any text: what
 * it cannot split into CTEs becomes the final query, so a half-typed edit never throws.
 */
import { lex, significant, type Token } from './sqlLexer';
import type { Step, Trajectory } from './types';

const INDENT = '    ';

export interface ParsedCoCTE {
  trajectory: Trajectory;
  /** Why the text could not be split as a CTE chain (the whole text then sits in `final`). */
  warning?: string;
}

/** Trims SQL and folds notes onto one line, so that printing and parsing are exact inverses. */
export function normalizeTrajectory(t: Trajectory): Trajectory {
  return {
    ...(t.recursive ? { recursive: true } : {}),
    steps: t.steps.map((s) => ({ ...s, name: s.name.trim(), sql: trimSql(s.sql), note: oneLine(s.note) })),
    final: { sql: trimSql(t.final.sql), note: oneLine(t.final.note) },
  };
}

/** Trimmed, without the semicolons that end it (`SELECT 1 ;; ;`). */
function trimSql(sql: string): string {
  return sql.trim().replace(/[;\s]+$/, '');
}

function oneLine(note: string): string {
  return note.replace(/\s+/g, ' ').trim();
}

/** Prints a trajectory as canonical CoCTE text. */
export function printCoCTE(input: Trajectory): string {
  const t = normalizeTrajectory(input);
  const out: string[] = [];
  if (t.steps.length > 0) {
    out.push(t.recursive ? 'WITH RECURSIVE' : 'WITH');
    t.steps.forEach((s, i) => {
      if (s.note) out.push(`  -- ${s.note}`);
      const head = s.columns ? `${s.name}(${s.columns})` : s.name;
      out.push(`  ${head} AS ${s.materialized ? s.materialized + ' ' : ''}(`);
      out.push(indent(s.sql));
      out.push(i < t.steps.length - 1 ? '  ),' : '  )');
    });
  }
  if (t.final.note) out.push(`-- ${t.final.note}`);
  out.push(t.final.sql);
  return out.join('\n');
}

/** Composes a trajectory into one executable statement (same as printCoCTE; notes become comments). */
export const composeCoCTE = printCoCTE;

/** Indents every non-empty line of a step's SQL, except a line that starts inside a string, quoted name or comment. */
function indent(sql: string): string {
  let out = '';
  let from = 0;
  for (const at of lineStarts(sql)) {
    if (at === sql.length || sql[at] === '\n') continue;
    out += sql.slice(from, at) + INDENT;
    from = at;
  }
  return out + sql.slice(from);
}

/** Undoes `indent`: unchanged unless every line it would have indented starts with the indent. */
function dedent(body: string): string {
  const starts = lineStarts(body).filter((at) => at < body.length && body[at] !== '\n');
  if (!starts.every((at) => body.startsWith(INDENT, at))) return body;
  let out = '';
  let from = 0;
  for (const at of starts) {
    out += body.slice(from, at);
    from = at + INDENT.length;
  }
  return out + body.slice(from);
}

/**
 * Where the lines of `sql` start, except those that start inside a string, a quoted name (`"line` + break + `2"`) or
 * a block comment: adding or removing an indent there would change the literal.
 */
function lineStarts(sql: string): number[] {
  const starts = [0];
  for (const t of lex(sql)) if (t.kind === 'space') for (let i = t.start; i < t.end; i++) if (sql[i] === '\n') starts.push(i + 1);
  return starts;
}

/** Parses CoCTE text (canonical or hand-written) into steps and the final query. Never throws. */
export function parseCoCTE(text: string): ParsedCoCTE {
  const tokens = lex(text);
  const whole = (warning?: string): ParsedCoCTE => ({
    trajectory: { steps: [], final: { sql: trimSql(text), note: '' } },
    ...(warning ? { warning } : {}),
  });
  let i = skipTrivia(tokens, 0);
  const leadNote = commentsBefore(tokens, 0, i);
  if (!isWord(tokens[i], 'WITH')) {
    if (leadNote === '') return whole();
    const start = tokens[i]?.start ?? text.length;
    return { trajectory: { steps: [], final: { sql: trimSql(text.slice(start)), note: leadNote } } };
  }
  i = skipTrivia(tokens, i + 1);
  let recursive = false;
  if (isWord(tokens[i], 'RECURSIVE')) {
    recursive = true;
    i = skipTrivia(tokens, i + 1);
  }
  const steps: Step[] = [];
  let noteFrom = tokens[i - 1] ? indexAfterWordBefore(tokens, i) : 0;
  for (;;) {
    const note = commentsBefore(tokens, noteFrom, i);
    const nameTok = tokens[i];
    if (!nameTok || (nameTok.kind !== 'word' && nameTok.kind !== 'quoted')) return whole('expected a CTE name after WITH');
    i = skipTrivia(tokens, i + 1);
    let columns: string | undefined;
    if (tokens[i]?.kind === 'open') {
      const close = matching(tokens, i);
      if (close < 0) return whole('unbalanced parentheses in a CTE column list');
      columns = text.slice(tokens[i]!.end, tokens[close]!.start).trim();
      i = skipTrivia(tokens, close + 1);
    }
    if (!isWord(tokens[i], 'AS')) return whole(`expected AS after CTE name ${nameTok.text}`);
    i = skipTrivia(tokens, i + 1);
    let materialized: string | undefined;
    if (isWord(tokens[i], 'NOT') || isWord(tokens[i], 'MATERIALIZED')) {
      const from = i;
      if (isWord(tokens[i], 'NOT')) i = skipTrivia(tokens, i + 1);
      i = skipTrivia(tokens, i + 1);
      materialized = significant(tokens.slice(from, i)).map((t) => t.text.toUpperCase()).join(' ');
    }
    if (tokens[i]?.kind !== 'open') return whole(`expected ( after ${nameTok.text} AS`);
    const close = matching(tokens, i);
    if (close < 0) return whole(`unbalanced parentheses in CTE ${nameTok.text}`);
    const rawBody = text.slice(tokens[i]!.end, tokens[close]!.start);
    const step: Step = { name: nameTok.text, sql: trimSql(dedent(stripOuterBreaks(rawBody))), note };
    if (columns !== undefined) step.columns = columns;
    if (materialized) step.materialized = materialized;
    steps.push(step);
    i = skipTrivia(tokens, close + 1);
    noteFrom = close + 1;
    if (tokens[i]?.kind === 'comma') {
      noteFrom = i + 1;
      i = skipTrivia(tokens, i + 1);
      continue;
    }
    break;
  }
  const finalNote = commentsBefore(tokens, noteFrom, i);
  const finalStart = tokens[i]?.start ?? text.length;
  const trajectory: Trajectory = { steps, final: { sql: trimSql(text.slice(finalStart)), note: finalNote } };
  if (recursive) trajectory.recursive = true;
  return { trajectory };
}

function stripOuterBreaks(body: string): string {
  return body.replace(/^[ \t]*\n/, '').replace(/\n[ \t]*$/, '');
}

function isWord(t: Token | undefined, w: string): boolean {
  return !!t && t.kind === 'word' && t.text.toUpperCase() === w;
}

function skipTrivia(tokens: Token[], i: number): number {
  while (i < tokens.length && (tokens[i]!.kind === 'space' || tokens[i]!.kind === 'comment')) i++;
  return i;
}

function indexAfterWordBefore(tokens: Token[], i: number): number {
  let j = i - 1;
  while (j >= 0 && (tokens[j]!.kind === 'space' || tokens[j]!.kind === 'comment')) j--;
  return j + 1;
}

/** The `-- …` comments between tokens[from] and tokens[to], joined as one note. */
function commentsBefore(tokens: Token[], from: number, to: number): string {
  return tokens
    .slice(from, to)
    .filter((t) => t.kind === 'comment' && t.text.startsWith('--'))
    .map((t) => t.text.slice(2).trim())
    .filter((s) => s !== '')
    .join(' ');
}

/** Index of the ')' matching the '(' at `open`, or -1. */
function matching(tokens: Token[], open: number): number {
  let depth = 0;
  for (let j = open; j < tokens.length; j++) {
    const k = tokens[j]!.kind;
    if (k === 'open') depth++;
    else if (k === 'close' && --depth === 0) return j;
  }
  return -1;
}

/**
 * The chain in canonical form without the `-- note` comments a person or the decomposer adds: what runs, what the
 * policy is trained to write and what the PRM reads (`stepChunks` finds one chunk per step whatever the editor layout).
 */
export function printWithoutNotes(t: Trajectory): string {
  return printCoCTE({ ...t, steps: t.steps.map(withoutNote), final: { ...t.final, note: '' } });
}

/** SQL that shows the rows of step `index` (0-based) on its own: the steps up to it, then `SELECT * FROM` it. */
export function stepPrefixSql(t: Trajectory, index: number): string {
  if (index >= t.steps.length) return printWithoutNotes(t);
  const steps = t.steps.slice(0, index + 1).map(withoutNote);
  const name = t.steps[index]!.name;
  return printCoCTE({ ...t, steps, final: { sql: `SELECT * FROM ${name}`, note: '' } });
}

function withoutNote(s: Step): Step {
  return { ...s, note: '' };
}
