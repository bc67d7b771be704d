/**
 * Builds the meaning lexicon that schema linking reads (src/core/lexicon/wordnet.json) from WordNet 3.0's database
 * files, which Debian ships in the `wordnet-base` package:
 *   apt-get install -y wordnet-base && npm run lexicon [-- --wordnet /usr/share/wordnet]
 * For every single-word lemma (letters only) it keeps its most frequent senses (index order: 3 for nouns, 2 for verbs
 * and adjectives) as concept ids, and the concepts one step away that schema linking may follow:
 * - nouns: hypernyms up to two levels (`car` -> `motor vehicle` -> `self-propelled vehicle`; a question about cars
 *   links a `vehicle` column only through a lemma of one of these), and verbs they derive from (`singer` -> `sing`);
 * - adjectives: the noun they are an attribute value of (`old` -> `age`), their pertainym (`annual` -> `year`) and
 *   similar adjectives;
 * - verbs: the nouns derived from them (`employ` -> `employee`, `employer`).
 * Also WordNet's irregular forms (`children` -> `child`, `oldest` -> `old`). Concepts are renumbered densely.
 * The file carries WordNet's license (src/core/lexicon/LICENSE-WordNet). Prints, as its last line,
 * `lexicon: N words, C concepts, S bytes`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flags } from './lib/spider';

const args = flags(process.argv.slice(2));
const dir = args.get('wordnet') ?? '/usr/share/wordnet';
const out = args.get('out') ?? 'src/core/lexicon/wordnet.json';

type Pos = 'n' | 'v' | 'a';
const FILES: Record<Pos, string> = { n: 'noun', v: 'verb', a: 'adj' };
const SENSES: Record<Pos, number> = { n: 3, v: 2, a: 2 };
const WORD = /^[a-z]{2,}$/;

interface Synset {
  words: string[];
  ptrs: { sym: string; key: string }[];
}

/** data.<pos>: `offset lex_filenum ss_type w_cnt word lex_id … p_cnt ptr… | gloss`. */
function readData(pos: Pos): Map<string, Synset> {
  const synsets = new Map<string, Synset>();
  for (const line of readFileSync(join(dir, `data.${FILES[pos]}`), 'utf8').split('\n')) {
    if (!line || line.startsWith(' ')) continue;
    const f = line.split(' | ')[0]!.split(' ');
    const offset = f[0]!;
    const wCnt = parseInt(f[3]!, 16);
    const words: string[] = [];
    for (let i = 0; i < wCnt; i++) words.push(f[4 + 2 * i]!.toLowerCase().replace(/\(.*\)$/, ''));
    let i = 4 + 2 * wCnt;
    const pCnt = Number(f[i++]);
    const ptrs: { sym: string; key: string }[] = [];
    for (let p = 0; p < pCnt; p++, i += 4) {
      const tp = f[i + 2] === 's' ? 'a' : (f[i + 2] as Pos | 'r');
      if (tp === 'r') continue;
      ptrs.push({ sym: f[i]!, key: `${tp}${f[i + 1]}` });
    }
    synsets.set(`${pos}${offset}`, { words, ptrs });
  }
  return synsets;
}

/** index.<pos>: `lemma pos synset_cnt p_cnt ptr… sense_cnt tagsense_cnt offset…` (offsets by frequency). */
function readIndex(pos: Pos): Map<string, string[]> {
  const senses = new Map<string, string[]>();
  for (const line of readFileSync(join(dir, `index.${FILES[pos]}`), 'utf8').split('\n')) {
    if (!line || line.startsWith(' ')) continue;
    const f = line.trim().split(' ');
    const lemma = f[0]!;
    if (!WORD.test(lemma)) continue;
    const synsetCnt = Number(f[2]);
    const offsets = f.slice(f.length - synsetCnt);
    senses.set(lemma, offsets.slice(0, SENSES[pos]).map((o) => `${pos}${o}`));
  }
  return senses;
}

const synsets = new Map<string, Synset>();
for (const pos of ['n', 'v', 'a'] as Pos[]) for (const [k, v] of readData(pos)) synsets.set(k, v);

const ids = new Map<string, number>();
const id = (key: string) => {
  let n = ids.get(key);
  if (n === undefined) ids.set(key, (n = ids.size));
  return n;
};

/** The concepts one step away from a sense that linking may follow (see the header). */
function related(key: string): string[] {
  const s = synsets.get(key);
  if (!s) return [];
  const pos = key[0] as Pos;
  const out: string[] = [];
  for (const p of s.ptrs) {
    if (pos === 'n' && (p.sym === '@' || p.sym === '@i')) {
      out.push(p.key);
      for (const q of synsets.get(p.key)?.ptrs ?? []) if (q.sym === '@' || q.sym === '@i') out.push(q.key);
    } else if (pos === 'n' && p.sym === '+' && p.key[0] === 'v') out.push(p.key);
    else if (pos === 'a' && (p.sym === '=' || p.sym === '\\' || p.sym === '&')) out.push(p.key);
    else if (pos === 'v' && p.sym === '+' && p.key[0] === 'n') out.push(p.key);
  }
  return out;
}

const words = new Map<string, { syn: Set<number>; rel: Set<number> }>();
for (const pos of ['n', 'v', 'a'] as Pos[]) {
  for (const [lemma, keys] of readIndex(pos)) {
    const entry = words.get(lemma) ?? { syn: new Set<number>(), rel: new Set<number>() };
    for (const k of keys) {
      entry.syn.add(id(k));
      for (const r of related(k)) entry.rel.add(id(r));
    }
    words.set(lemma, entry);
  }
}
/** Concepts that no two words share carry no link: drop them, then renumber. */
const uses = new Map<number, number>();
for (const e of words.values()) for (const c of new Set([...e.syn, ...e.rel])) uses.set(c, (uses.get(c) ?? 0) + 1);
const dense = new Map<number, number>();
const keep = (c: number) => (uses.get(c) ?? 0) > 1;
const num = (c: number) => {
  let n = dense.get(c);
  if (n === undefined) dense.set(c, (n = dense.size));
  return n.toString(36);
};
const table: Record<string, string> = {};
for (const [w, e] of [...words].sort(([a], [b]) => (a < b ? -1 : 1))) {
  const syn = [...e.syn].filter(keep).map(num);
  const rel = [...e.rel].filter((c) => keep(c) && !e.syn.has(c)).map(num);
  if (syn.length === 0 && rel.length === 0) continue;
  table[w] = rel.length ? `${syn.join(',')};${rel.join(',')}` : syn.join(',');
}

const exceptions: Record<string, string> = {};
for (const pos of ['noun', 'verb', 'adj']) {
  for (const line of readFileSync(join(dir, `${pos}.exc`), 'utf8').split('\n')) {
    const [form, lemma] = line.trim().split(' ');
    if (form && lemma && WORD.test(form) && WORD.test(lemma) && table[lemma] && !table[form]) exceptions[form] ??= lemma;
  }
}

const text = JSON.stringify({
  source: 'WordNet 3.0 (Princeton University), Debian package wordnet-base; built by scripts/build-lexicon.ts',
  license: 'WordNet 3.0 license, see LICENSE-WordNet beside this file',
  words: table,
  exceptions,
});
writeFileSync(out, text);
console.log(`lexicon: ${Object.keys(table).length} words, ${dense.size} concepts, ${Object.keys(exceptions).length} irregular forms, ${text.length} bytes`);
