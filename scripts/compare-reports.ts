/**
 * Compares two `npm run eval` reports question by question (by dev index):
 *   npx tsx scripts/compare-reports.ts <before.json> <after.json>      (e.g. `git show f44361a:eval/greedy.json > /tmp/a.json`)
 * Prints the questions each got right, gained and lost; the every-3rd and every-7th subsets (what `--stride 3|7`
 * evaluates); and the questions with a digit in them (where the number rule can matter).
 */
import { readFileSync } from 'node:fs';

interface Row {
  i: number;
  question: string;
  correct: boolean;
  blankGold?: boolean;
}
const [a, b] = process.argv.slice(2, 4).map((f) => (JSON.parse(readFileSync(f!, 'utf8')) as { questions: Row[] }).questions);
if (!a || !b) throw new Error('usage: npx tsx scripts/compare-reports.ts <before.json> <after.json>');
const before = new Map(a.map((r) => [r.i, r]));
const both = b.filter((r) => before.has(r.i));

function line(label: string, keep: (r: Row) => boolean): string {
  const rows = both.filter(keep);
  const right = (side: 'before' | 'after') => rows.filter((r) => (side === 'after' ? r : before.get(r.i)!).correct);
  const nonBlank = (rs: Row[]) => rs.filter((r) => !r.blankGold).length;
  const gained = rows.filter((r) => r.correct && !before.get(r.i)!.correct).length;
  const lost = rows.filter((r) => !r.correct && before.get(r.i)!.correct).length;
  return `${label} (${rows.length}): before ${right('before').length} (non-blank ${nonBlank(right('before'))}), after ${right('after').length} (non-blank ${nonBlank(right('after'))}); gained ${gained}, lost ${lost}`;
}

console.log(line('all', () => true));
console.log(line('every 3rd', (r) => r.i % 3 === 0));
console.log(line('every 7th', (r) => r.i % 7 === 0));
console.log(line('with a digit', (r) => /[0-9]/.test(r.question)));
