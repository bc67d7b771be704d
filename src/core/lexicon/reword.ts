/**
 * Rewording a question the way analysts ask, by rules, keeping its meaning (and so its gold query):
 * - `synonym`: a word that spells a table or column name is replaced by a WordNet synonym of its most frequent sense
 *   (`singers` -> vocalists), as in Spider-Syn;
 * - `implicit`: explicit column mentions are removed where an adjective or the question's form carries them
 *   (`the name of the singer with the highest age` -> `the oldest singer`, `whose age is above 30` ->
 *   `older than 30`, `sorted by age in descending order` -> `from the oldest to the youngest`), as in
 *   Spider-Realistic.
 * Used for training data (scripts/make-data.ts) and for `npm run eval -- --reword` on any Spider-format set.
 */
import { firstSense, lemmas, lemmasWithSense } from './meaning';

export type RewordMode = 'synonym' | 'implicit' | 'both';

/** Column words said by an adjective instead: [most, least, more, less]. Also phrases template questions (scripts/lib/impliedQuestions.ts). */
export const ATTRIBUTES: Record<string, [string, string, string, string]> = {
  age: ['oldest', 'youngest', 'older', 'younger'],
  height: ['tallest', 'shortest', 'taller', 'shorter'],
  weight: ['heaviest', 'lightest', 'heavier', 'lighter'],
  length: ['longest', 'shortest', 'longer', 'shorter'],
  duration: ['longest', 'shortest', 'longer', 'shorter'],
  price: ['most expensive', 'cheapest', 'more expensive', 'cheaper'],
  cost: ['most expensive', 'cheapest', 'more expensive', 'cheaper'],
  population: ['most populous', 'least populous', 'more populous', 'less populous'],
  salary: ['best paid', 'worst paid', 'better paid', 'worse paid'],
  speed: ['fastest', 'slowest', 'faster', 'slower'],
  size: ['largest', 'smallest', 'larger', 'smaller'],
  area: ['largest', 'smallest', 'larger', 'smaller'],
  capacity: ['largest', 'smallest', 'larger', 'smaller'],
  distance: ['farthest', 'nearest', 'farther', 'nearer'],
};

const HIGH = '(?:highest|largest|greatest|biggest|maximum|max|most|top)';
const LOW = '(?:lowest|smallest|least|minimum|min|fewest)';
const MORE = '(?:greater|larger|more|higher|bigger|above|over|at least|no less)';
const LESS = '(?:less|smaller|lower|fewer|below|under|at most|no more)';

/**
 * WordNet synonyms of a lemma's most frequent sense whose own most frequent sense is that one too (`student` ->
 * pupil, but not `settlement` -> colony), single words, not a form of the lemma itself.
 */
export function synonyms(lemma: string): string[] {
  const first = firstSense(lemma);
  if (!first) return [];
  return lemmasWithSense(first).filter(
    (w) => w !== lemma && !w.startsWith(lemma) && !lemma.startsWith(w) && w.length <= 14 && w.length >= 3 && firstSense(w) === first,
  );
}

function plural(w: string): string {
  if (/[^aeiou]y$/.test(w)) return w.slice(0, -1) + 'ies';
  if (/(s|x|z|ch|sh)$/.test(w)) return w + 'es';
  return w + 's';
}

function nameWords(names: string[]): Set<string> {
  const out = new Set<string>();
  for (const n of names) {
    for (const w of n.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z]+/)) {
      if (w.length < 3) continue;
      out.add(w);
      for (const l of lemmas(w)) out.add(l);
    }
  }
  return out;
}

const KEEP = new Set(['name', 'names', 'number', 'id', 'type', 'code', 'the', 'and', 'how', 'many', 'what', 'which', 'show', 'list', 'find', 'give', 'return', 'all', 'each', 'count', 'total', 'average', 'first', 'last']);

/** Replaces schema words with synonyms, each with probability `p`; null when none could be replaced. */
function synonymPass(question: string, schemaNames: string[], rand: () => number, p = 0.7): string | null {
  const names = nameWords(schemaNames);
  let changed = false;
  // Quoted values stay as they are; so do capitalized words inside the sentence (names, values).
  const out = question.replace(/(["'“‘][^"'”’]*["'”’])|[A-Za-z]+/g, (tok, quoted: string | undefined, at: number) => {
    if (quoted) return tok;
    const low = tok.toLowerCase();
    if (low.length < 3 || KEEP.has(low) || (at > 0 && tok[0] !== low[0])) return tok;
    // Only a lemma or its plural: a synonym cannot be inflected like a verb reliably.
    const lemma = lemmas(low).find((l) => names.has(l) && (l === low || plural(l) === low || l + 's' === low));
    if (!lemma || rand() >= p) return tok;
    const syns = synonyms(lemma);
    if (syns.length === 0) return tok;
    let w = syns[Math.floor(rand() * syns.length)]!;
    if (low !== lemma && !w.endsWith('s')) w = plural(w);
    changed = true;
    return tok[0] === tok[0]!.toUpperCase() ? w[0]!.toUpperCase() + w.slice(1) : w;
  });
  return changed ? out : null;
}

/** Removes explicit column mentions (see the header); null when no rule applied. */
function implicitPass(question: string, columnNames: string[]): string | null {
  const cols = nameWords(columnNames);
  let q = question;
  // "the name of the singer" -> "the singer"; "the names of all singers" -> "all singers".
  q = q.replace(/\bthe (?:first |last |full )?names? of (?:the |all |each |every )?/gi, (m) => (/of all/i.test(m) ? 'all ' : /of each/i.test(m) ? 'each ' : /of every/i.test(m) ? 'every ' : 'the '));
  for (const [attr, [most, least, more, less]] of Object.entries(ATTRIBUTES)) {
    if (!cols.has(attr)) continue;
    const a = `(?:the |their |its |his |her )?${attr}s?`;
    // "the singer with the highest age" -> "the oldest singer".
    q = q.replace(new RegExp(`\\bthe (\\w+) (?:with|who has|that has|which has|having|whose ${attr} is) the (${HIGH}|${LOW}) ${attr}\\b`, 'gi'), (_m, noun: string, dir: string) =>
      `the ${new RegExp(LOW, 'i').test(dir) ? least : most} ${noun}`,
    );
    // "with the highest age" -> "that is the oldest".
    q = q.replace(new RegExp(`\\b(?:with|who has|that has|which has|having) the (${HIGH}|${LOW}) ${attr}\\b`, 'gi'), (_m, dir: string) =>
      `that is the ${new RegExp(LOW, 'i').test(dir) ? least : most}`,
    );
    // "whose age is above 30" -> "older than 30".
    q = q.replace(new RegExp(`\\b(?:whose|with an?|with|that have an?|who have an?|where the|where) ${attr}s? (?:is |are )?(?:(${MORE})|(${LESS}))(?: than)?\\b`, 'gi'), (_m, up?: string) =>
      `${up ? more : less} than`,
    );
    // "sorted by age in descending order" -> "from the oldest to the youngest".
    q = q.replace(new RegExp(`\\b(?:sorted|ordered|order|sort|ranked|rank)(?: them| the results| the list)? by ${a}(?: in)?(?: (descending|desc|decreasing|ascending|asc|increasing))?(?: order)?`, 'gi'), (_m, dir?: string) =>
      dir && /desc|decr/i.test(dir) ? `from the ${most} to the ${least}` : `from the ${least} to the ${most}`,
    );
  }
  return q !== question ? q.replace(/\s+/g, ' ') : null;
}

/**
 * A reworded question, or null when no rule applies. `tableNames` and `columnNames` are the database's names;
 * `rand` chooses synonyms (seed it per question for a reproducible set).
 */
export function reword(question: string, tableNames: string[], columnNames: string[], rand: () => number, mode: RewordMode = 'both'): string | null {
  let q: string | null = question;
  let changed = false;
  if (mode !== 'synonym') {
    const r = implicitPass(q, columnNames);
    if (r) [q, changed] = [r, true];
  }
  if (mode !== 'implicit') {
    const r = synonymPass(q, [...tableNames, ...columnNames], rand);
    if (r) [q, changed] = [r, true];
  }
  return changed ? q : null;
}
