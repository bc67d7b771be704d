/**
 * A number outside quotes is one the question asks for: every number it writes in digits ("1,000" as 1000) or as a
 * word ("two", "twice", "third"), each also minus one ("at least 3" is `> 2`), and 0 and 1 (LIMIT 1 for "the most",
 * `> 0`). Every number of every Spider dev gold query is one of them; a small model otherwise writes `weight > 2.7`
 * for "heavier than 10". Checked on the numbers the prefix checker's lexer reads (sqlcheck/lexer.ts).
 */
import type { PrefixChecker } from '../sqlcheck/checker';
import type { TokenRule } from '../tokenRules';

const NUMBER_WORDS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11,
  twelve: 12, twenty: 20, hundred: 100, thousand: 1000, once: 1, twice: 2, single: 1, first: 1, second: 2, third: 3,
};

/** The numbers a numeric literal may be for a question (see the file's comment). */
export function questionNumbers(question: string): string[] {
  const q = question.toLowerCase();
  const out = new Set(['0', '1']);
  const add = (n: string) => {
    out.add(n);
    if (/^[0-9]+$/.test(n) && Number(n) > 0) out.add(String(BigInt(n) - 1n));
  };
  for (const m of q.replace(/([0-9]),([0-9]{3})/g, '$1$2').matchAll(/[0-9]+(?:\.[0-9]+)?/g)) add(m[0]);
  for (const w of q.split(/[^a-z]+/)) if (Object.hasOwn(NUMBER_WORDS, w)) add(String(NUMBER_WORDS[w]));
  return [...out];
}

/** The rule: every number a token finishes is one of `numbers`; the one it leaves open begins one. */
export function numberRule(checker: PrefixChecker, numbers: readonly string[]): TokenRule {
  const whole = (v: string) => v.replace(/\.$/, '');
  return {
    test: (text) => (tokenText) => {
      const r = checker.lexemes(text, tokenText);
      if (!r) return true; // not viable: the checker refuses it
      if (r.done.some((lx) => lx.t === 'num' && !numbers.includes(whole(lx.v)))) return false;
      const p = r.pending;
      return !p || p.kind !== 'num' || numbers.some((n) => n.startsWith(p.text) || (p.text.endsWith('.') && n === whole(p.text)));
    },
  };
}
