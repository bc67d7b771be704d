/**
 * String literals spell a value the question mentions (LIKE's `%` aside) or one of the schema's example values. A
 * small model otherwise invents values ('Canading'); 97% of the Spider dev gold queries with literals take every one
 * from the question's own words. Checked on the literals the prefix checker's lexer reads (sqlcheck/lexer.ts).
 */
import { PARTIAL_END, type PrefixChecker } from '../sqlcheck/checker';
import type { TokenRule } from '../tokenRules';
import type { SchemaInfo } from '../types';

/** What may follow a closed string literal's value within a word of the question. */
const WORD_ENDINGS = new Set(['', 's', 'es', 'ing', 'ed', 'an', 'ean', 'ian', 'ese', 'ish']);

export class QuestionValues {
  private readonly q: string;
  /** The question without its whitespace, and where each of its characters stands in the question. */
  private readonly squeezed: { text: string; pos: number[] } = { text: '', pos: [] };

  constructor(
    question: string,
    private readonly examples: readonly string[],
  ) {
    this.q = question.toLowerCase();
    for (let i = 0; i < this.q.length; i++) {
      if (/\s/.test(this.q[i]!)) continue;
      this.squeezed.text += this.q[i];
      this.squeezed.pos.push(i);
    }
  }

  /** The text example values of a schema's columns (lower case). */
  static examplesOf(schema: SchemaInfo): string[] {
    return schema.tables.flatMap((t) => t.columns.flatMap((c) => c.examples.filter((v): v is string => typeof v === 'string').map((v) => v.toLowerCase())));
  }

  /** Whether a string literal's content (so far, or `done`) can be a value of the question or an example value. */
  ok(content: string, done: boolean): boolean {
    // A character still being written (the byte tokens of `名` decode to U+FFFD until the last) is judged when done.
    const text = (done ? content : content.replace(PARTIAL_END, '')).toLowerCase().replace(/''/g, "'");
    // A LIKE pattern needs no '%%'; a small model otherwise repeats '%' to the token limit ('Joe SHAr%%%%…').
    if (text.includes('%%')) return false;
    const pieces = text.split('%');
    if (pieces.every((p) => p === '')) return true;
    // Each piece starts where a word of the question starts ('Cur' is not a value of "… occurred in 2014"), unless a
    // LIKE wildcard comes before it ('%son'), and a closed literal ends where a word ends ('Aberde' is not a value of
    // "… leaving from Aberdeen") or before a common ending ('engineer' of "engineering", 'Europe' of "European"),
    // unless a wildcard follows; spelled with or without the question's spaces ('NorthCarolina').
    if (pieces.every((p, i) => p === '' || this.inQuestion(p, i > 0, !done || i < pieces.length - 1))) return true;
    const v = pieces.filter(Boolean).join('%');
    return this.examples.some((e) => (done ? e === v : e.startsWith(v)));
  }

  /**
   * Whether `piece` occurs in the question starting at a word's start (anywhere when `openStart`) and ending at a
   * word's end (anywhere when `openEnd`); a piece without spaces may also match across the question's spaces.
   */
  private inQuestion(piece: string, openStart: boolean, openEnd: boolean): boolean {
    const q = this.q;
    const letter = (i: number) => i >= 0 && i < q.length && /[\p{L}\p{N}]/u.test(q[i]!);
    const restOfWord = (last: number) => {
      let end = last + 1;
      while (letter(end)) end++;
      return q.slice(last + 1, end);
    };
    // `first` and `last`: where the match's first and last characters stand in the question.
    const fits = (first: number, last: number) => (openStart || !letter(first - 1)) && (openEnd || WORD_ENDINGS.has(restOfWord(last)));
    const find = (hay: string, p: string, at: (i: number) => [number, number]) => {
      if (p === '') return false;
      for (let i = hay.indexOf(p); i >= 0; i = hay.indexOf(p, i + 1)) if (fits(...at(i))) return true;
      return false;
    };
    const { text, pos } = this.squeezed;
    // Also without the question's spaces, but never with spaces the question does not have ('C ON cer' of "concert").
    return find(q, piece, (i) => [i, i + piece.length - 1]) || (!/\s/.test(piece) && find(text, piece, (i) => [pos[i]!, pos[i + piece.length - 1]!]));
  }
}

/** The rule: every string literal a token finishes, and the one it leaves open, is a value (see QuestionValues). */
export function literalRule(checker: PrefixChecker, values: QuestionValues): TokenRule {
  return {
    test: (text) => (tokenText) => {
      const r = checker.lexemes(text, tokenText);
      if (!r) return true; // not viable: the checker refuses it
      if (r.done.some((lx) => lx.t === 'str' && !values.ok(lx.v, true))) return false;
      const p = r.pending;
      return !p || (p.kind !== 'str' && p.kind !== 'strq') || values.ok(p.text, p.kind === 'strq');
    },
  };
}
