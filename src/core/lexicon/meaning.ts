/**
 * Word meaning for schema linking: lemmas, WordNet synonyms and near concepts, and the abbreviations database names
 * use. `relate(questionWord, nameWord)` says how a word of a question can refer to a word of a table or column name.
 *
 * The data is a subset of WordNet 3.0 (wordnet.json, built by scripts/build-lexicon.ts; LICENSE-WordNet): for each
 * single-word lemma its most frequent senses (`syn`) and the concepts one step away (`rel`: hypernyms, the noun an
 * adjective is the attribute value of, derived verbs and nouns).
 */
import data from './wordnet.json';

export type Relation = 'same' | 'synonym' | 'related' | 'abbreviation';

interface Entry {
  syn: Set<string>;
  rel: Set<string>;
}

/** The lexicon's maps, built on first use. */
let maps: { table: Map<string, string>; exceptions: Map<string, string> } | null = null;
function lexicon(): { table: Map<string, string>; exceptions: Map<string, string> } {
  return (maps ??= { table: new Map(Object.entries(data.words as Record<string, string>)), exceptions: new Map(Object.entries(data.exceptions as Record<string, string>)) });
}
const cache = new Map<string, Entry | null>();

function entry(lemma: string): Entry | null {
  let e = cache.get(lemma);
  if (e !== undefined) return e;
  const raw = lexicon().table.get(lemma);
  if (raw === undefined) e = null;
  else {
    const [syn = '', rel = ''] = raw.split(';');
    e = { syn: new Set(syn.split(',').filter(Boolean)), rel: new Set(rel.split(',').filter(Boolean)) };
  }
  cache.set(lemma, e);
  return e;
}

/** The concept of a lemma's most frequent sense (undefined for a word not in the lexicon). */
export function firstSense(lemma: string): string | undefined {
  const e = entry(lemma);
  return e ? e.syn.values().next().value : undefined;
}

let bySense: Map<string, string[]> | null = null;
/** The lemmas having `concept` among their senses (the inverse of `entry(…).syn`, built on first use). */
export function lemmasWithSense(concept: string): string[] {
  if (!bySense) {
    bySense = new Map();
    for (const [w, raw] of lexicon().table) {
      for (const c of raw.split(';')[0]!.split(',')) {
        if (!c) continue;
        const list = bySense.get(c);
        if (list) list.push(w);
        else bySense.set(c, [w]);
      }
    }
  }
  return bySense.get(concept) ?? [];
}

/** Suffix rules of WordNet's morphy (nouns, verbs, adjectives), tried when a form is not a lemma itself. */
const DETACH: [string, string][] = [
  ['ies', 'y'], ['ses', 's'], ['xes', 'x'], ['zes', 'z'], ['ches', 'ch'], ['shes', 'sh'], ['men', 'man'], ['s', ''],
  ['es', 'e'], ['es', ''], ['ed', 'e'], ['ed', ''], ['ing', 'e'], ['ing', ''], ['est', ''], ['est', 'e'], ['er', ''], ['er', 'e'],
];

/** The dictionary forms of a lower-case word (`children` -> child, `oldest` -> old, `running` -> run); [] if unknown. */
export function lemmas(word: string): string[] {
  const w = word.toLowerCase();
  const { table, exceptions } = lexicon();
  const out = new Set<string>();
  const irregular = exceptions.get(w);
  if (irregular) out.add(irregular);
  if (table.has(w)) out.add(w);
  for (const [suffix, repl] of DETACH) {
    if (w.length <= suffix.length + 2 || !w.endsWith(suffix)) continue;
    const base = w.slice(0, -suffix.length) + repl;
    if (table.has(base)) out.add(base);
    // Doubled final consonants: `biggest` -> big, `running` -> run.
    if (repl === '' && /([b-df-hj-np-tv-z])\1$/.test(base) && table.has(base.slice(0, -1))) out.add(base.slice(0, -1));
  }
  return [...out];
}

/** Whether a word is in the lexicon (in any form). */
export function known(word: string): boolean {
  return lemmas(word).length > 0;
}

/**
 * Abbreviations database names use, expanded (`dept` -> department). Names are split into words before this
 * (`dept_no` -> dept, no; `StuID` -> stu, id).
 */
const ABBREVIATIONS: Record<string, string[]> = {
  no: ['number'], num: ['number'], nbr: ['number'], nr: ['number'], qty: ['quantity'], amt: ['amount'], cnt: ['count'],
  avg: ['average'], max: ['maximum'], min: ['minimum'], tot: ['total'], pct: ['percent', 'percentage'],
  dept: ['department'], emp: ['employee'], mgr: ['manager'], stu: ['student'], prof: ['professor'], crs: ['course'],
  cust: ['customer'], prod: ['product'], addr: ['address'], desc: ['description'], descr: ['description'],
  dob: ['birth', 'born'], yr: ['year'], mo: ['month'], dt: ['date'], tel: ['telephone', 'phone'], ph: ['phone'],
  fname: ['first'], lname: ['last'], govt: ['government'], intl: ['international'], natl: ['national'],
  lang: ['language'], loc: ['location'], pos: ['position'], org: ['organization'], dir: ['director'], info: ['information'],
  img: ['image'], pic: ['picture'], pop: ['population'], temp: ['temperature'], ht: ['height'], wt: ['weight'],
  sal: ['salary'], comm: ['commission'], hrs: ['hours'], mins: ['minutes'], sec: ['seconds'], acc: ['account'],
  acct: ['account'], bal: ['balance'], trans: ['transaction'], txn: ['transaction'], ref: ['reference'],
  cat: ['category'], std: ['standard'], gov: ['government'], dist: ['district', 'distance'], reg: ['region', 'registration'],
};

/** Whether `short` abbreviates `long`: a listed expansion, or a prefix / in-order subsequence that starts alike. */
export function abbreviates(short: string, long: string): boolean {
  if (Object.hasOwn(ABBREVIATIONS, short) && ABBREVIATIONS[short]!.some((x) => x === long || lemmas(long).includes(x))) return true;
  if (short.length < 3 || long.length <= short.length || short[0] !== long[0] || known(short)) return false;
  let i = 0;
  for (const ch of long) if (ch === short[i]) i++;
  return i === short.length;
}

/**
 * How a question word can refer to a name word: the same lemma, a WordNet synonym (a shared sense), a related
 * concept (one is the other's hypernym, or the noun an adjective measures: `old` -> age), or an abbreviation; null
 * when none holds. Both words are lower-case and whole.
 */
export function relate(questionWord: string, nameWord: string): Relation | null {
  if (questionWord === nameWord) return 'same';
  const qs = lemmas(questionWord);
  const ns = lemmas(nameWord);
  if (qs.some((q) => ns.includes(q))) return 'same';
  let related = false;
  for (const q of qs) {
    const a = entry(q)!;
    for (const n of ns) {
      const b = entry(n)!;
      for (const c of a.syn) {
        if (b.syn.has(c)) return 'synonym';
        if (b.rel.has(c)) related = true;
      }
      if (!related) for (const c of a.rel) if (b.syn.has(c)) related = true;
    }
  }
  if (related) return 'related';
  return abbreviates(nameWord, questionWord) ? 'abbreviation' : null;
}
