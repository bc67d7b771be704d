/**
 * The SQL fuzz's starting points: Spider's gold queries (dev and train) and the model's greedy answers
 * (eval/greedy.json), each with its database. Without ../shared/data/spider the committed fixtures stand in
 * (tests/fixtures/spider-dev-sample.json over tests/fixtures/*.sqlite), so the suite runs on a fresh clone.
 * Also the policy's tokenizer and vocabulary, which the constraint judges tokens by.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { tokenTexts } from '../../../src/core/constrain';
import { loadTokenizer, type TextTokenizer } from '../../../src/core/tokenizer';
import { dbPath, readExamples } from '../spider';

export const FIXTURES = 'tests/fixtures';

export interface Seed {
  db: string;
  question: string;
  sql: string;
  source: 'gold' | 'prediction';
}

export interface SeedSet {
  seeds: Seed[];
  /** Where each seed's database file is, by database id. */
  dbFile: Map<string, string>;
  /** 'spider' or 'fixtures'. */
  from: string;
}

/** Every fixture database: tests/fixtures/*.sqlite, by database id (the file name). */
export function fixtureDatabases(): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(FIXTURES).filter((f) => f.endsWith('.sqlite')).sort()) out.set(basename(f, '.sqlite'), join(FIXTURES, f));
  return out;
}

/** Gold queries and greedy answers whose database is at hand: Spider's when `spider` holds it, else the fixtures'. */
export function loadSeeds(spider: string): SeedSet {
  const useSpider = existsSync(join(spider, 'dev.json')) && existsSync(join(spider, 'database'));
  const dbFile = new Map<string, string>();
  const known = (db: string): boolean => {
    if (!dbFile.has(db)) {
      const path = useSpider ? dbPath(join(spider, 'database'), db) : fixtureDatabases().get(db);
      if (path && existsSync(path)) dbFile.set(db, path);
    }
    return dbFile.has(db);
  };
  const gold = useSpider
    ? ['dev.json', 'train_spider.json'].filter((f) => existsSync(join(spider, f))).flatMap((f) => readExamples(join(spider, f)))
    : readExamples(join(FIXTURES, 'spider-dev-sample.json'));
  const seeds: Seed[] = gold.filter((e) => known(e.db_id)).map((e) => ({ db: e.db_id, question: e.question, sql: e.query, source: 'gold' }));
  if (existsSync('eval/greedy.json')) {
    const qs = (JSON.parse(readFileSync('eval/greedy.json', 'utf8')) as { questions: { db_id: string; question: string; prediction?: string }[] }).questions;
    for (const q of qs) if (q.prediction && known(q.db_id)) seeds.push({ db: q.db_id, question: q.question, sql: q.prediction, source: 'prediction' });
  }
  return { seeds, dbFile, from: useSpider ? 'spider' : 'fixtures' };
}

export interface Vocabulary {
  tok: TextTokenizer;
  /** The text of every token id. */
  texts: string[];
}

let vocab: Vocabulary | null = null;
/** The policy's tokenizer (models/policy) and the text of each token. */
export function policyVocabulary(): Vocabulary {
  if (vocab) return vocab;
  const dir = 'models/policy';
  const tok = loadTokenizer(JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')), JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')));
  const size = (JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { vocab_size: number }).vocab_size;
  vocab = { tok, texts: tokenTexts(tok.decode, size) };
  return vocab;
}
