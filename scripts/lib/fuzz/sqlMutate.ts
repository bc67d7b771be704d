/**
 * Mutated statements: one to three edits of a seed query at the level of its tokens (sqlLexer.ts), of the kinds a
 * person typing, a model going astray or a hostile paste produce: a token deleted, repeated, swapped or replaced by
 * a keyword, an operator, a bracket, a quote, a comment, a name of the schema, an odd literal or an odd name; the text
 * cut short; two queries spliced; the query wrapped in a subquery, a CTE, a set operation or deep parentheses; case,
 * spacing and comments changed; control and non-ASCII characters inserted.
 */
import { lex, type Token } from '../../../src/core/sqlLexer';
import type { SchemaInfo } from '../../../src/core/types';
import type { Rng } from './common';

const KEYWORDS = (
  'SELECT FROM WHERE AND OR NOT IN IS NULL LIKE GLOB BETWEEN EXISTS GROUP BY HAVING ORDER ASC DESC LIMIT OFFSET JOIN ' +
  'LEFT INNER CROSS NATURAL ON USING AS DISTINCT ALL UNION INTERSECT EXCEPT WITH RECURSIVE CASE WHEN THEN ELSE END ' +
  'CAST COLLATE ESCAPE VALUES INSERT UPDATE DELETE DROP PRAGMA ATTACH VACUUM MATERIALIZED OVER PARTITION WINDOW FILTER'
).split(' ');
const PUNCT = ['(', ')', ',', ';', '.', '*', '=', '<>', '!=', '||', '-', '+', '/', '%', '<', '>=', '?', ':x', '@y', '$z', '[', ']', '`', '"', "'", '{', '}', '\\'];
const LITERALS = [
  '0', '-1', '1e308', '1e-400', '9223372036854775808', '0x7fffffff', '.5', '1.2.3', "''", "'it''s'", "'%'", "'_'", "x'00ff'",
  "'\u00e9t\u00e9'", "'\u{1F600}'", 'NULL', 'TRUE', 'CURRENT_DATE', "'" + 'a'.repeat(500) + "'",
];
const ODD_NAMES = ['"Order Items"', '"unit price"', '"select"', '`back`', '[bracket]', '"a""b"', '"\u540d\u524d"', '"' + 'n'.repeat(1000) + '"', 's1', 'T1', 'T9', 'rowid'];
const CALLS = ['count(', 'sum(', 'max(', 'substr(', 'coalesce(', 'json_extract(', 'group_concat(', 'row_number() OVER (', 'nosuchfn('];
const COMMENTS = ['-- note\n', '/* c */', '/* unterminated', '--', '/**/'];
const CHARS = ['\u0000', '\t', '\r\n', '\u00a0', '\u200b', '\u202e', '\ufeff', '\u{1F4A5}', '\u00e9', '\\n', '\u0007'];

export class SqlMutator {
  private readonly names: string[];

  constructor(
    schema: SchemaInfo,
    private readonly rng: Rng,
  ) {
    this.names = schema.tables.flatMap((t) => [t.name, ...t.columns.map((c) => c.name)]);
    if (this.names.length === 0) this.names.push('x');
  }

  /** `sql` with one to three mutations; `other` is a second seed to splice with. */
  mutate(sql: string, other: string): string {
    let out = sql;
    const n = this.rng.range(1, 3);
    for (let i = 0; i < n; i++) out = this.once(out, other);
    return out;
  }

  private once(sql: string, other: string): string {
    const r = this.rng;
    const toks = lex(sql);
    const k = r.int(16);
    const at = toks.length ? r.int(toks.length) : 0;
    const replaceAt = (text: string) => join(toks, at, 1, text);
    switch (k) {
      case 0:
        return join(toks, at, 1, '');
      case 1:
        return toks.length ? join(toks, at, 1, toks[at]!.text + ' ' + toks[at]!.text) : sql;
      case 2: {
        const sig = toks.map((t, i) => (t.kind === 'space' ? -1 : i)).filter((i) => i >= 0);
        if (sig.length < 2) return sql;
        const j = r.int(sig.length - 1);
        const [a, b] = [sig[j]!, sig[j + 1]!];
        const texts = toks.map((t) => t.text);
        [texts[a], texts[b]] = [texts[b]!, texts[a]!];
        return texts.join('');
      }
      case 3:
        return replaceAt(r.pick(KEYWORDS));
      case 4:
        return replaceAt(r.pick(PUNCT));
      case 5:
        return replaceAt(this.schemaName());
      case 6:
        return replaceAt(r.pick(LITERALS));
      case 7:
        return join(toks, at, 0, ` ${r.pick([...KEYWORDS, ...PUNCT, ...CALLS, ...ODD_NAMES])} `);
      case 8:
        return sql.slice(0, r.int(sql.length + 1));
      case 9:
        return sql.slice(0, r.int(sql.length + 1)) + other.slice(r.int(other.length + 1));
      case 10:
        return this.wrap(sql, other);
      case 11:
        return this.respell(sql);
      case 12:
        return join(toks, at, 0, r.pick(COMMENTS));
      case 13: {
        const i = r.int(sql.length + 1);
        return sql.slice(0, i) + r.pick(CHARS) + sql.slice(i);
      }
      case 14:
        return replaceAt(r.pick(ODD_NAMES));
      default:
        return join(toks, at, 0, ` ${r.pick(CALLS)}${this.schemaName()}) `);
    }
  }

  /** A table or column of the schema, bare or quoted in one of SQLite's four ways. */
  private schemaName(): string {
    const r = this.rng;
    const n = r.pick(this.names);
    switch (r.int(5)) {
      case 0:
        return `"${n.replace(/"/g, '""')}"`;
      case 1:
        return `[${n}]`;
      case 2:
        return `\`${n}\``;
      default:
        return r.chance(0.3) ? n.toUpperCase() : n;
    }
  }

  private wrap(sql: string, other: string): string {
    const r = this.rng;
    const depth = r.pick([2, 8, 40, 200]);
    switch (r.int(7)) {
      case 0:
        return `SELECT * FROM (${sql}) AS w`;
      case 1:
        return `WITH w AS (${sql}) SELECT * FROM w`;
      case 2:
        return `${sql} UNION ${other}`;
      case 3:
        return `SELECT count(*) FROM (${sql})`;
      case 4:
        return `SELECT ${'('.repeat(depth)}1${')'.repeat(depth)}`;
      case 5:
        return `SELECT * FROM (${'SELECT * FROM ('.repeat(depth)}${sql}${')'.repeat(depth)})`;
      default:
        return `${sql}; ${other}`;
    }
  }

  private respell(sql: string): string {
    const r = this.rng;
    switch (r.int(5)) {
      case 0:
        return sql.toLowerCase();
      case 1:
        return sql.toUpperCase();
      case 2:
        return sql.replace(/\s+/g, () => r.pick(['\n', '\t', '  ', '\n    ', ' ']));
      case 3:
        return lex(sql)
          .map((t) => t.text)
          .filter((t) => !/^\s+$/.test(t))
          .join(' ');
      default:
        return `  ${sql}  ;;  `;
    }
  }
}

/** The tokens' text with `count` tokens at `at` replaced by `text`. */
function join(toks: Token[], at: number, count: number, text: string): string {
  return [...toks.slice(0, at).map((t) => t.text), text, ...toks.slice(at + count).map((t) => t.text)].join('');
}
