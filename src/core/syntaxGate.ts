/**
 * Syntax-constrained decoding (in the spirit of PICARD): a token is allowed only when the chain written so far, with
 * that token, is still the beginning of some valid SQLite. The check runs sql-parser-cst on the statement being
 * written (the open CTE body, or the final SELECT): a parse that fails only at the end of the input is a viable
 * prefix, a parse that fails earlier is not. A word still being written (`or`, which may become `order` or the
 * column `origin`) is viable when one of its completions is: a keyword it begins, or any name when it begins one
 * (judged with a stand-in identifier). A finished CTE body and, at the end token, the final statement must parse
 * completely. Results are memoized per statement text, so the tokens that share a prefix cost one parse.
 */
import { parse } from 'sql-parser-cst';
import { endsInsideQuotes, lex, type Token } from './sqlLexer';

const PARTIAL_WORD = /[A-Za-z0-9_$]*$/;

/** The words a partial word may become: keywords (lower case) and whether it begins some name. */
export interface WordSet {
  keywords: readonly string[];
  beginsName(partial: string): boolean;
}

export class SyntaxGate {
  private readonly memo = new Map<string, 'ok' | 'prefix' | 'bad'>();

  /** Whether `text + tokenText` can still be completed into valid SQL; tokenText '' is the end token. */
  allows(text: string, tokenText: string, words?: WordSet): boolean {
    if (tokenText === '') return this.complete(text);
    const full = text + tokenText;
    const partial = PARTIAL_WORD.exec(full)![0];
    if (!words || partial === '' || this.insideString(full)) return this.viable(full);
    const before = full.slice(0, full.length - partial.length);
    // A number being written is judged as a number (`FROM t 200sse` is not one); SQL has no other word starting with a digit.
    if (/^[0-9]/.test(partial)) return /^[0-9]+$/.test(partial) && this.viable(`${before}1 `);
    const p = partial.toLowerCase();
    // After AS any new name may stand; elsewhere a partial word is a name only when it begins one.
    if ((words.beginsName(partial) || /\bas\s+$/i.test(before)) && this.viable(`${before}${partial}zq `)) return true;
    return words.keywords.some((k) => k.startsWith(p) && this.viable(`${before}${k} `));
  }

  private insideString(text: string): boolean {
    return closeOpenString(text) !== text;
  }

  /** The whole chain is valid SQL (for the end token). */
  complete(text: string): boolean {
    const r = this.regions(text);
    if (!r.closedOk) return false;
    return r.open !== null && this.judge(r.open) === 'ok';
  }

  /** The chain can still be completed: every finished CTE body parses, the statement being written is a prefix. */
  viable(text: string): boolean {
    const r = this.regions(closeOpenString(text.slice(0, text.length - PARTIAL_WORD.exec(text)![0].length)));
    if (!r.closedOk) return false;
    return r.open === null || this.judge(r.open) !== 'bad';
  }

  /** The statement being written (null between CTEs) and whether the last finished CTE body parses. */
  private regions(text: string): { open: string | null; closedOk: boolean } {
    const toks = lex(text).filter((t) => t.kind !== 'space' && t.kind !== 'comment');
    let depth = 0;
    let bodyStart = -1; // text offset where the open CTE body starts
    let finalStart = -1; // text offset of the final statement
    let lastBody: string | null = null;
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i]!;
      if (t.kind === 'open') {
        depth++;
        const as = toks[i - 1];
        if (depth === 1 && finalStart < 0 && as?.kind === 'word' && as.text.toLowerCase() === 'as' && toks[i - 2]?.kind === 'word') bodyStart = t.end;
      } else if (t.kind === 'close') {
        depth--;
        if (depth < 0) return { open: null, closedOk: false };
        if (depth === 0 && bodyStart >= 0) {
          lastBody = text.slice(bodyStart, t.start);
          bodyStart = -1;
        }
      } else if (depth === 0 && finalStart < 0 && t.kind === 'word' && /^(select|values)$/i.test(t.text)) {
        finalStart = t.start;
      }
    }
    const closedOk = lastBody === null || this.judge(lastBody) === 'ok';
    if (bodyStart >= 0) return { open: text.slice(bodyStart), closedOk };
    if (finalStart >= 0) return { open: text.slice(finalStart), closedOk };
    return { open: null, closedOk };
  }

  private judge(sql: string): 'ok' | 'prefix' | 'bad' {
    const key = sql.trimEnd() === sql ? sql : sql.trimEnd() + ' ';
    let v = this.memo.get(key);
    if (v === undefined) {
      v = parseVerdict(key);
      if (this.memo.size > 5000) this.memo.clear();
      this.memo.set(key, v);
    }
    return v;
  }
}

function parseVerdict(sql: string): 'ok' | 'prefix' | 'bad' {
  if (sql.trim() === '') return 'prefix';
  const toks = lex(sql);
  if (orderByUsing(toks) || tooDeep(toks)) return 'bad';
  try {
    parse(sql, { dialect: 'sqlite' });
    return 'ok';
  } catch (e) {
    return /Unexpected end of input/.test(String((e as Error).message)) ? 'prefix' : 'bad';
  }
}

/**
 * `ORDER BY x USING <operator>` (PostgreSQL) is not SQLite, but sql-parser-cst's SQLite grammar takes it as a prefix,
 * and an operator can always grow by one more character (`USING -////<|…`): a trap a small model filled its whole
 * token budget with. Any USING after ORDER BY in the same parenthesis level is rejected.
 */
function orderByUsing(toks: Token[]): boolean {
  const clause: string[] = ['']; // the last clause keyword at each parenthesis depth
  for (const t of toks) {
    if (t.kind === 'open') clause.push('');
    else if (t.kind === 'close') clause.length > 1 && clause.pop();
    else if (t.kind === 'word') {
      const w = t.text.toLowerCase();
      if (w === 'using' && clause.at(-1) === 'order') return true;
      if (/^(select|from|join|where|group|having|order|limit|union|intersect|except)$/.test(w)) clause[clause.length - 1] = w;
    }
  }
  return false;
}

/**
 * Parentheses open at once in a statement, and calls among them (`replace(replace(replace(`). Spider's gold queries
 * open at most 5 (subqueries in subqueries, which a CoCTE chain lifts into steps) and nest calls 2 deep. The parser's
 * time doubles with each nested call, so a lost model writing `replace(replace(…` made one token cost 40 s at depth 12
 * (3 of 972 greedy dev questions hit the 60 s limit that way); beyond these depths a statement is not viable.
 */
const MAX_PAREN_DEPTH = 6;
const MAX_CALL_DEPTH = 3;

function tooDeep(toks: Token[]): boolean {
  const open: boolean[] = []; // innermost last: whether it opened a call (a word right before it)
  let prev = '';
  for (const t of toks) {
    if (t.kind === 'open') {
      if (open.push(prev === 'word') > MAX_PAREN_DEPTH || open.filter(Boolean).length > MAX_CALL_DEPTH) return true;
    } else if (t.kind === 'close') open.pop();
    if (t.kind !== 'comment') prev = t.kind;
  }
  return false;
}

/** A string literal still being written is as good as an empty one: `= 'Fra` is judged as `= ''`. */
function closeOpenString(text: string): string {
  const toks = lex(text);
  const last = toks.at(-1);
  return last?.kind === 'string' && endsInsideQuotes(toks) ? text.slice(0, last.start) + "''" : text;
}
