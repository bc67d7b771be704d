/**
 * Canonical spelling of SQL for training targets: single spaces, no space inside parentheses or before commas,
 * upper-case keywords, single-quoted strings (a double-quoted token that names no column is a string in SQLite).
 * Literal contents are never touched.
 */
import { lex, quoteIdent, type Token } from './sqlLexer';
import type { SchemaInfo } from './types';

const KEYWORDS = new Set(
  ('SELECT FROM WHERE AND OR NOT IN IS NULL LIKE GLOB BETWEEN EXISTS GROUP BY HAVING ORDER ASC DESC LIMIT OFFSET JOIN ' +
    'INNER LEFT RIGHT FULL OUTER CROSS NATURAL ON USING AS DISTINCT ALL UNION INTERSECT EXCEPT WITH RECURSIVE CASE WHEN ' +
    'THEN ELSE END CAST COLLATE ESCAPE VALUES').split(' '),
);

/** Whether a word (any case) names a table or column of the schema: normalizeSql's isName for that schema. */
export function schemaNameTest(schema: SchemaInfo): (name: string) => boolean {
  const names = new Set<string>();
  for (const t of schema.tables) {
    names.add(t.name.toLowerCase());
    for (const c of t.columns) names.add(c.name.toLowerCase());
  }
  return (n) => names.has(n.toLowerCase());
}

/** `isName(x)`: whether x (unquoted, any case) is a table or column name; decides what "x" means. */
export function normalizeSql(sql: string, isName: (name: string) => boolean = () => true): string {
  const toks = lex(sql.trim().replace(/;[\s;]*$/, '')).filter((t) => t.kind !== 'space');
  let out = '';
  let prev: Token | null = null;
  let prev2: Token | null = null;
  for (const t of toks) {
    let text = t.text;
    if (t.kind === 'word' && KEYWORDS.has(text.toUpperCase())) text = text.toUpperCase();
    if (t.kind === 'quoted' && text.startsWith('"')) {
      const inner = text.slice(1, -1).split('""').join('"');
      text = isName(inner) ? quoteIdent(inner) : `'${inner.split("'").join("''")}'`;
    }
    if (t.kind === 'comment') continue;
    if (prev && needsSpace(prev, t) && !isUnarySign(prev, prev2)) out += ' ';
    out += text;
    prev2 = prev;
    prev = t;
  }
  return out;
}

function needsSpace(prev: Token, t: Token): boolean {
  if (t.kind === 'comma' || t.kind === 'close' || t.kind === 'semicolon') return false;
  if (prev.kind === 'open') return false;
  if (t.kind === 'open' && prev.kind === 'word' && !KEYWORDS.has(prev.text.toUpperCase())) return false;
  if (t.kind === 'other' && t.text === '.') return false;
  if (prev.kind === 'other' && prev.text === '.') return false;
  return true;
}

/** A + or - that starts an operand (after an operator, a keyword, '(' or ',') binds to what follows. */
function isUnarySign(prev: Token, before: Token | null): boolean {
  if (prev.kind !== 'other' || (prev.text !== '-' && prev.text !== '+')) return false;
  if (!before) return true;
  return before.kind === 'open' || before.kind === 'comma' || (before.kind === 'other' && before.text !== ')') ||
    (before.kind === 'word' && KEYWORDS.has(before.text.toUpperCase()));
}
