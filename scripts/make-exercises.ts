/**
 * npm run exercises: builds the teaching-mode exercise set (src/core/teaching/exercises.json).
 *
 * Candidates: the hand-written Chinook and Northwind exercises (scripts/lib/handExercises.ts) and the Spider
 * questions over the bundled Spider samples (concert_singer, pets_1 and world_1 are dev databases: Spider's training
 * set has no question on them), one per distinct query. Each candidate's query is decomposed with the database's
 * schema into the reference chain and kept when `checkExercise` passes (every step runs, the chain returns the
 * query's result) and its result does not depend on the order SQLite scans rows in (the same with
 * `PRAGMA reverse_unordered_selects`; ties under ORDER BY … LIMIT would make a correct answer look wrong). The
 * level comes from the query's shape. At most `spiderPerDbLevel` Spider questions per database and level.
 *
 *   npm run exercises -- [--spider ../shared/data/spider] [--out src/core/teaching/exercises.json]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import { printCoCTE } from '../src/core/cocte';
import { decomposeSql } from '../src/core/decompose';
import { sameResult } from '../src/core/resultCompare';
import { checkExercise } from '../src/core/teaching/checkExercise';
import { exerciseOrdered, levelOf, LEVELS, type Exercise } from '../src/core/teaching/exercise';
import { teachingSettings } from '../src/core/teaching/settings';
import { SAMPLES } from '../src/state/samples';
import { SqlJsEngine } from '../src/workers/sqljsEngine';
import { HAND_EXERCISES } from './lib/handExercises';
import { flags, readExamples } from './lib/spider';

const args = flags(process.argv.slice(2));
const spiderDir = args.get('spider') ?? '../shared/data/spider';
const outFile = args.get('out') ?? 'src/core/teaching/exercises.json';
const settings = teachingSettings();

const SQL = await initSqlJs();
const dbs = new Map(
  SAMPLES.map((s) => {
    const bytes = new Uint8Array(readFileSync(join('public/samples', s.file)));
    const engine = new SqlJsEngine(SQL);
    engine.open(bytes);
    const raw = new SQL.Database(bytes);
    return [s.id, { engine, schema: engine.schema(), raw }] as const;
  }),
);

interface Candidate {
  id: string;
  db: string;
  question: string;
  query: string;
  source: Exercise['source'];
}

const candidates: Candidate[] = HAND_EXERCISES.map((h) => ({ ...h, source: 'hand-written' as const }));
const devFile = join(spiderDir, 'dev.json');
if (!existsSync(devFile)) {
  console.error(`No ${devFile}: pass --spider <dir with dev.json>.`);
  process.exit(1);
}
/** Spider questions left out after reading them: the gold query does not answer the question as a learner would read it. */
const SPIDER_SKIP: Record<string, string> = {
  'pets_1-dev47': 'asks for the youngest dog; the query ignores the pet type',
  'concert_singer-dev16': 'a bare column next to max(); the question is ambiguous',
  'concert_singer-dev25': 'the same answer as concert_singer-dev24 (year > 2013 vs >= 2014)',
  'world_1-dev755': 'SELECT * over a join: every column of two tables as the answer',
};
const seen = new Set<string>();
readExamples(devFile).forEach((e, i) => {
  if (!dbs.has(e.db_id) || e.db_id === 'chinook' || e.db_id === 'northwind') return;
  const key = `${e.db_id}\u0001${e.query.toLowerCase().replace(/"/g, "'").replace(/\s+/g, ' ').trim()}`;
  if (seen.has(key) || SPIDER_SKIP[`${e.db_id}-dev${i}`]) return;
  seen.add(key);
  candidates.push({ id: `${e.db_id}-dev${i}`, db: e.db_id, question: e.question.trim(), query: e.query.trim().replace(/\s+/g, ' '), source: 'spider-dev' });
});

/** Same rows with SQLite reading tables backwards: the result does not hang on scan order. */
function scanOrderFree(raw: InstanceType<typeof SQL.Database>, query: string, ordered: boolean): boolean {
  const rows = () => raw.exec(query)[0]?.values ?? [];
  try {
    raw.run('PRAGMA reverse_unordered_selects = 0');
    const a = rows();
    raw.run('PRAGMA reverse_unordered_selects = 1');
    const b = rows();
    return sameResult(a as never, b as never, ordered);
  } finally {
    raw.run('PRAGMA reverse_unordered_selects = 0');
  }
}

const kept: Exercise[] = [];
const perDbLevel = new Map<string, number>();
const rejected: { id: string; reason: string }[] = [];
for (const c of candidates) {
  const db = dbs.get(c.db)!;
  let ex: Exercise;
  try {
    const chain = printCoCTE(decomposeSql(c.query, db.schema));
    ex = { id: c.id, db: c.db, level: levelOf(c.query), question: c.question, query: c.query, chain, source: c.source };
  } catch (e) {
    rejected.push({ id: c.id, reason: `decompose: ${e instanceof Error ? e.message : String(e)}` });
    continue;
  }
  const slot = `${c.db}/${ex.level}`;
  if (c.source === 'spider-dev' && (perDbLevel.get(slot) ?? 0) >= settings.spiderPerDbLevel) continue;
  const why = checkExercise(ex, (sql, maxRows) => db.engine.query(sql, maxRows)) ?? (scanOrderFree(db.raw, c.query, exerciseOrdered(ex)) ? null : 'the result depends on scan order');
  if (why) {
    rejected.push({ id: c.id, reason: why });
    continue;
  }
  perDbLevel.set(slot, (perDbLevel.get(slot) ?? 0) + 1);
  kept.push(ex);
}

const failedHand = rejected.filter((r) => HAND_EXERCISES.some((h) => h.id === r.id));
for (const r of failedHand) console.error(`hand-written ${r.id}: ${r.reason}`);
kept.sort((a, b) => a.level - b.level || a.db.localeCompare(b.db) || a.id.localeCompare(b.id, 'en', { numeric: true }));
writeFileSync(outFile, JSON.stringify(kept, null, 1) + '\n');
const counts = LEVELS.map((l) => `level ${l.level} ${kept.filter((e) => e.level === l.level).length}`).join(', ');
console.log(`rejected: ${rejected.length} (${rejected.map((r) => `${r.id}: ${r.reason}`).join('; ')})`);
console.log(`exercises: ${kept.length} (${counts}) -> ${outFile}`);
const short = LEVELS.filter((l) => kept.filter((e) => e.level === l.level).length < settings.minPerLevel);
if (failedHand.length > 0 || short.length > 0) {
  if (short.length) console.error(`under ${settings.minPerLevel} exercises: level ${short.map((l) => l.level).join(', ')}`);
  process.exit(1);
}
