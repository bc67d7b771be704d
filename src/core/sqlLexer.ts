/**
 * A small SQLite lexer used where a full parse is not wanted: splitting a CoCTE chain that the user is in
 * the middle of editing (it may not parse yet), finding the first keyword of a statement, indenting safely.
 * It knows strings, quoted identifiers, comments and parentheses; nothing else.
 */

export type TokenKind = 'word' | 'string' | 'quoted' | 'comment' | 'space' | 'open' | 'close' | 'comma' | 'semicolon' | 'other';

export interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
}

const OPERATORS2 = new Set(['>=', '<=', '<>', '!=', '==', '||', '<<', '>>', '->']);
const WORD = /[A-Za-z0-9_$\u0080-\uffff]/;

/** Splits SQL text into tokens; never throws (an unterminated string or comment runs to the end). */
export function lex(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = sql.length;
  const push = (kind: TokenKind, end: number) => {
    out.push({ kind, text: sql.slice(i, end), start: i, end });
    i = end;
  };
  while (i < n) {
    const c = sql[i]!;
    if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      push('comment', nl === -1 ? n : nl);
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      push('comment', close === -1 ? n : close + 2);
    } else if (c === "'") {
      push('string', endOfQuoted(sql, i, "'"));
    } else if (c === '"' || c === '`') {
      push('quoted', endOfQuoted(sql, i, c));
    } else if (c === '[') {
      const close = sql.indexOf(']', i + 1);
      push('quoted', close === -1 ? n : close + 1);
    } else if (/\s/.test(c)) {
      let j = i + 1;
      while (j < n && /\s/.test(sql[j]!)) j++;
      push('space', j);
    } else if (c === '(') push('open', i + 1);
    else if (c === ')') push('close', i + 1);
    else if (c === ',') push('comma', i + 1);
    else if (c === ';') push('semicolon', i + 1);
    else if (WORD.test(c)) {
      let j = i + 1;
      while (j < n && WORD.test(sql[j]!)) j++;
      push('word', j);
    } else push('other', i + (OPERATORS2.has(sql.slice(i, i + 2)) ? 2 : 1));
  }
  return out;
}

/** End index (exclusive) of a quoted run starting at `start`; a doubled quote is an escaped quote. */
function endOfQuoted(sql: string, start: number, q: string): number {
  let j = start + 1;
  while (j < sql.length) {
    if (sql[j] === q) {
      if (sql[j + 1] === q) j += 2;
      else return j + 1;
    } else j++;
  }
  return sql.length;
}

/** Tokens that carry meaning (no spaces, no comments). */
export function significant(tokens: Token[]): Token[] {
  return tokens.filter((t) => t.kind !== 'space' && t.kind !== 'comment');
}

/** The first keyword of a statement, upper-cased ('' when none). Leading parentheses are skipped. */
export function firstKeyword(sql: string): string {
  for (const t of lex(sql)) {
    if (t.kind === 'word') return t.text.toUpperCase();
    if (t.kind !== 'space' && t.kind !== 'comment' && t.kind !== 'open') return '';
  }
  return '';
}

/** True when some string literal or quoted identifier spans a line break (so re-indenting would change it). */
export function hasMultilineLiteral(sql: string): boolean {
  return lex(sql).some((t) => (t.kind === 'string' || t.kind === 'quoted' || t.kind === 'comment') && t.text.includes('\n'));
}

/** Unquotes an identifier token text: "a""b" -> a"b, [x] -> x, `x` -> x. */
export function unquoteIdent(text: string): string {
  const q = text[0];
  if (q === '"' || q === '`') return text.slice(1, -1).split(q + q).join(q);
  if (q === '[') return text.slice(1, -1);
  return text;
}

/** Quotes an identifier for SQLite when it is not a plain word. */
export function quoteIdent(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !RESERVED.has(name.toUpperCase()) ? name : `"${name.split('"').join('""')}"`;
}

const RESERVED = new Set(
  ('ABORT ACTION ADD AFTER ALL ALTER ANALYZE AND AS ASC ATTACH AUTOINCREMENT BEFORE BEGIN BETWEEN BY CASCADE CASE CAST CHECK ' +
    'COLLATE COLUMN COMMIT CONFLICT CONSTRAINT CREATE CROSS CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP DATABASE DEFAULT ' +
    'DEFERRABLE DEFERRED DELETE DESC DETACH DISTINCT DROP EACH ELSE END ESCAPE EXCEPT EXCLUSIVE EXISTS EXPLAIN FAIL FOR ' +
    'FOREIGN FROM FULL GLOB GROUP HAVING IF IGNORE IMMEDIATE IN INDEX INDEXED INITIALLY INNER INSERT INSTEAD INTERSECT INTO ' +
    'IS ISNULL JOIN KEY LEFT LIKE LIMIT MATCH NATURAL NO NOT NOTNULL NULL OF OFFSET ON OR ORDER OUTER PLAN PRAGMA PRIMARY ' +
    'QUERY RAISE RECURSIVE REFERENCES REGEXP REINDEX RELEASE RENAME REPLACE RESTRICT RIGHT ROLLBACK ROW SAVEPOINT SELECT ' +
    'SET TABLE TEMP TEMPORARY THEN TO TRANSACTION TRIGGER UNION UNIQUE UPDATE USING VACUUM VALUES VIEW VIRTUAL WHEN WHERE ' +
    'WITH WITHOUT').split(' '),
);

/** True when the lexed text ends inside a string literal or a quoted identifier. */
export function endsInsideQuotes(toks: Token[]): boolean {
  const last = toks.at(-1);
  if (!last || (last.kind !== 'string' && last.kind !== 'quoted')) return false;
  const q = last.text[0]!;
  if (q === '[') return !last.text.endsWith(']');
  const quotes = last.text.split(q).length - 1;
  return last.text.length < 2 || !last.text.endsWith(q) || quotes % 2 === 1;
}
