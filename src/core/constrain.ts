/**
 * Constrained decoding: the names the model writes must exist. Outside string literals, every word it completes
 * must be an SQL keyword or function, a table or column of the open schema, a CTE or alias it defined itself
 * (s1, T1, …) or a derived alias (count_all, avg_age, singer_name, …); a word still being written must be the
 * prefix of such a word. The most likely tokens are checked first (top K); the rest are masked.
 */
import { lex } from './sqlLexer';
import type { SchemaInfo } from './types';

const KEYWORDS =
  'select from where and or not in is null like glob between exists group by having order asc desc limit offset join inner left right full ' +
  'outer cross natural on using as distinct all union intersect except with recursive case when then else end cast collate escape values ' +
  'count sum avg min max total group_concat abs round length lower upper substr instr replace trim ltrim rtrim coalesce ifnull nullif ' +
  'strftime date time datetime julianday typeof integer int real text numeric float true false';

const AGGS = ['count', 'sum', 'avg', 'min', 'max', 'total', 'group_concat'];

export class IdentifierConstraint {
  private readonly exact = new Set<string>();
  private readonly prefixes = new Set<string>();
  private readonly columns: string[] = [];

  constructor(schema: SchemaInfo, private readonly tokenTexts: string[], private readonly topK = 40) {
    const add = (w: string) => {
      const x = w.toLowerCase();
      this.exact.add(x);
      for (let i = 1; i <= x.length; i++) this.prefixes.add(x.slice(0, i));
    };
    for (const k of KEYWORDS.split(' ')) add(k);
    for (const t of schema.tables) {
      add(t.name);
      for (const c of t.columns) {
        add(c.name);
        this.columns.push(c.name.toLowerCase());
        add(`${t.name}_${c.name}`);
        for (const a of AGGS) {
          add(`${a}_${c.name}`);
          add(`${a}_distinct_${c.name}`);
        }
      }
    }
    for (const a of AGGS) add(`${a}_all`);
  }

  /** Whether a whole word may appear. */
  allowedWord(word: string): boolean {
    const w = word.toLowerCase();
    if (this.exact.has(w) || /^[0-9]/.test(w) || /^[st]\d+$/.test(w)) return true;
    // Numbered variants of allowed names: name_2, count_all_3.
    const base = /^(.*)_\d+$/.exec(w)?.[1];
    return base !== undefined && this.exact.has(base);
  }

  /** Whether a word being written can still become an allowed word. */
  allowedPrefix(word: string): boolean {
    const w = word.toLowerCase();
    if (this.prefixes.has(w) || /^[0-9]/.test(w) || /^[st]\d*$/.test(w)) return true;
    const m = /^(.*)_\d*$/.exec(w);
    return !!m && this.exact.has(m[1]!);
  }

  /** Masks the logits of tokens that would write an unknown name (keeps the top-K tokens that pass). */
  apply(text: string, logits: Float32Array): void {
    if (insideQuotes(text)) return;
    const partial = /[A-Za-z0-9_]*$/.exec(text)![0];
    const order = topIndices(logits, this.topK);
    const keep = new Set<number>();
    for (const id of order) if (this.tokenOk(partial, this.tokenTexts[id] ?? '')) keep.add(id);
    // Nothing likely passes: fall back to every token that does (a full scan, rarely needed).
    if (keep.size === 0) for (let i = 0; i < logits.length; i++) if (this.tokenOk(partial, this.tokenTexts[i] ?? '')) keep.add(i);
    if (keep.size === 0) return;
    for (let i = 0; i < logits.length; i++) if (!keep.has(i)) logits[i] = -Infinity;
  }

  private tokenOk(partial: string, tokenText: string): boolean {
    // The end token (empty text) ends the word being written: only a complete name may end there.
    if (tokenText === '') return partial === '' || this.allowedWord(partial);
    let word = partial;
    let quoted: string | null = null;
    for (const ch of tokenText) {
      if (quoted) {
        if (ch === quoted) quoted = null;
        continue;
      }
      if (/[A-Za-z0-9_]/.test(ch)) {
        word += ch;
        continue;
      }
      if (word && !this.allowedWord(word)) return false;
      word = '';
      if (ch === "'" || ch === '"') quoted = ch;
    }
    return word === '' || this.allowedPrefix(word);
  }
}

/** True when the text ends inside a string literal or a quoted identifier. */
function insideQuotes(text: string): boolean {
  const last = lex(text).at(-1);
  if (!last || (last.kind !== 'string' && last.kind !== 'quoted')) return false;
  const q = last.text[0]!;
  if (q === '[') return !last.text.endsWith(']');
  const quotes = last.text.split(q).length - 1;
  return last.text.length < 2 || !last.text.endsWith(q) || quotes % 2 === 1;
}

function topIndices(xs: Float32Array, k: number): number[] {
  const idx: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    if (idx.length < k) {
      idx.push(i);
      if (idx.length === k) idx.sort((a, b) => xs[b]! - xs[a]!);
    } else if (xs[i]! > xs[idx[k - 1]!]!) {
      let j = k - 1;
      while (j > 0 && xs[i]! > xs[idx[j - 1]!]!) j--;
      idx.splice(j, 0, i);
      idx.pop();
    }
  }
  return idx.length < k ? idx.sort((a, b) => xs[b]! - xs[a]!) : idx;
}

/** The text of every token id, for checking what a token would write. */
export function tokenTexts(decode: (ids: number[]) => string, vocabSize: number): string[] {
  return Array.from({ length: vocabSize }, (_, i) => decode([i]));
}
