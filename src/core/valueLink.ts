/**
 * Linking by database value: which text columns hold a value the question says ("singers from France" links
 * singer.Country although no word names the column). The phrases that may be values are the quoted strings, the
 * capitalized words and runs of them inside the sentence, and all-caps words; each text column is asked once, with
 * every phrase, in one read-only query with a LIMIT, so a large database costs one short query per column.
 */
import type { QueryOutcome, SchemaInfo } from './types';

/** At most this many phrases and columns are looked up per question. */
const MAX_PHRASES = 12;
const MAX_COLUMNS = 96;

/** The phrases of a question that may be values in the database, lower-cased. */
export function valuePhrases(question: string): string[] {
  const out = new Set<string>();
  for (const m of question.matchAll(/["'“‘]([^"'”’]{1,60})["'”’]/g)) out.add(m[1]!.trim().toLowerCase());
  // Capitalized runs after the first word of the sentence: "New York", "United Airlines", "ACCT-211".
  const words = [...question.matchAll(/[A-Za-z][\w.&-]*/g)];
  let run: string[] = [];
  let end = -1;
  const flush = () => {
    if (run.length) {
      out.add(run.join(' ').toLowerCase());
      if (run.length > 1) for (const w of run) if (w.length > 2) out.add(w.toLowerCase());
    }
    run = [];
  };
  for (const [i, m] of words.entries()) {
    const w = m[0].replace(/[.-]+$/, '');
    const sentenceStart = i === 0 || /[.?!]\s*$/.test(question.slice(0, m.index));
    const capital = /^[A-Z]/.test(w) && !sentenceStart && w !== 'I';
    if (capital && (run.length === 0 || question.slice(end, m.index) === ' ')) run.push(w);
    else {
      flush();
      if (capital) run.push(w);
    }
    end = m.index! + w.length;
  }
  flush();
  return [...out].filter((p) => p.length > 1).slice(0, MAX_PHRASES);
}

const TEXTISH = /char|text|clob|string|^$|var/i;

function quote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function ident(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

/** One lookup per text column (`key`: `table.column`, lower-cased): a row back means the column holds a phrase. */
export function valueQueries(question: string, schema: SchemaInfo): { key: string; sql: string }[] {
  const phrases = valuePhrases(question);
  if (phrases.length === 0) return [];
  const list = phrases.map(quote).join(', ');
  const out: { key: string; sql: string }[] = [];
  for (const t of schema.tables) {
    if (t.kind === 'view') continue;
    for (const c of t.columns) {
      if (!TEXTISH.test(c.type) || out.length >= MAX_COLUMNS) continue;
      out.push({ key: `${t.name}.${c.name}`.toLowerCase(), sql: `SELECT 1 FROM ${ident(t.name)} WHERE lower(${ident(c.name)}) IN (${list}) LIMIT 1` });
    }
  }
  return out;
}

/**
 * The text columns (`table.column`, lower-cased) holding one of the question's value phrases, found by running
 * `valueQueries` through `run` (the studio's read-only engine, with its timeout). Views are skipped.
 */
export async function valueColumns(question: string, schema: SchemaInfo, run: (sql: string) => Promise<QueryOutcome> | QueryOutcome): Promise<Set<string>> {
  const found = new Set<string>();
  for (const q of valueQueries(question, schema)) {
    const r = await run(q.sql);
    if (r.ok && r.result.rows.length > 0) found.add(q.key);
  }
  return found;
}
