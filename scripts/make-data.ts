/**
 * Builds the policy's training data from Spider's training sets (train_spider + train_others; never dev).
 *   npm run data -- --spider ../shared/data/spider [--out models/data]
 * Every gold query is normalized, decomposed into a CoCTE chain and kept only when the chain returns the same
 * result as the gold query. The prompt holds the question and then the linked, pruned schema (QUESTION_FIRST_SPACED;
 * `--names attached` gives the format of policy runs 1–6).
 * `--variants K` (default 4) adds K-1 augmented copies of each example whose prompts shuffle table and column order,
 * vary the number of example values (0-2) and add an unrelated table of the same database; copies from
 * `--renamed-from` (default 2) on also respell every table and column name in prompt and target alike
 * (scripts/lib/renameSchema.ts), so that the model learns to copy names from its prompt. `--synthetic N` (default 80)
 * adds up to N template questions per training database (scripts/lib/synthQuestions.ts), each with one renamed copy.
 * `--implied N` (default 30, policy run 11; 0 before) adds up to N template questions per training database phrased
 * from a column's meaning and values rather than its name (scripts/lib/impliedQuestions.ts: "the oldest singer",
 * "singers from France"), each with one shuffled copy that keeps the real names.
 * `--swapped K` (default 2, as for policy runs 5, 8 and 9; 4 for runs 6–7) adds K copies of each training database whose table and column names are swapped for
 * names of other training databases (a `singer` table called `Orders`; ALTER TABLE on an in-memory copy), each with up
 * to N template questions written over the swapped names: the question's words then point only at the prompt's
 * names, never at what a Spider schema usually calls things. `--invented K` (default 8, policy run 9; 4 for run 8; 0 before) adds K copies whose names are
 * invented (`Velor_Kasti`), with template questions: a name no training schema has can only be copied from the prompt;
 * `--odd-names P` (default 0) makes that share of the invented names ones SQLite takes only quoted (`"velor kasti"`).
 * `--reword K` (default 2, policy run 10; 0 before) adds, for each Spider and template question, a copy with explicit
 * column mentions removed (when a rule applies) and K copies with WordNet synonyms for schema words
 * (src/core/lexicon/reword.ts), each linked from its reworded question; `--reword-swapped` does the same for the
 * template questions over swapped and invented names. `--links kinds` (default; `star` for runs 1–9) marks a column
 * linked by meaning with `~` instead of `*` (src/core/prompt.ts LinkMarks).
 * Writes train.jsonl and stats.json; prints, as its last line, `data: kept K/N … examples`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeTrajectory, printWithoutNotes } from '../src/core/cocte';
import { decomposeSql } from '../src/core/decompose';
import { reword, type RewordMode } from '../src/core/lexicon/reword';
import { buildPrompt, QUESTION_FIRST, QUESTION_FIRST_SPACED, schemaOptions, serializeSchema, type PromptFormat } from '../src/core/prompt';
import { sameResult } from '../src/core/resultCompare';
import { linkSchema } from '../src/core/schemaLink';
import { valueQueries } from '../src/core/valueLink';
import { ordersResult, queryTables } from '../src/core/sqlAst';
import { normalizeSql, schemaNameTest } from '../src/core/sqlFormat';
import type { SchemaInfo } from '../src/core/types';
import { SqlJsEngine } from '../src/workers/sqljsEngine';
import { inventedMap, renameMap, renameSchema, renameSql, renamedDatabase, swapMap } from './lib/renameSchema';
import { dbPath, EnginePool, flags, readExamples, seeded, sqlJs, type SpiderExample } from './lib/spider';
import { ImpliedGenerator } from './lib/impliedQuestions';
import { SynthGenerator, synthDbOf, type SynthDb } from './lib/synthQuestions';

const args = flags(process.argv.slice(2));
const spider = args.get('spider') ?? '../shared/data/spider';
const outDir = args.get('out') ?? 'models/data';
const variants = Math.max(1, Number(args.get('variants') ?? 4));
/** Copies from `renamedFrom` on (0-based variant index) also rename the schema's identifiers. */
const renamedFrom = Number(args.get('renamed-from') ?? 2);
/** Template questions per training database (0 turns them off). */
const synthPerDb = Number(args.get('synthetic') ?? 80);
/** Template questions per training database phrased from a column's meaning and values (`--implied N`; 0 turns them off). */
const impliedPerDb = Number(args.get('implied') ?? 30);
/** Copies of each training database with swapped names (scripts/lib/renameSchema.ts swapMap), each with template questions. */
const swapCopies = Number(args.get('swapped') ?? 2);
/** Copies of each training database with invented names (scripts/lib/renameSchema.ts inventedMap), each with template questions. */
const inventCopies = Number(args.get('invented') ?? 8);
/**
 * Share of invented names that SQLite takes only quoted (`--odd-names P`, default 0; `"velor kasti"`, `"order"`), so the
 * policy learns to write the names of analysts' own files, CSV imports above all, quoted.
 */
const oddNames = Number(args.get('odd-names') ?? 0);
/** Reworded copies with synonyms per example (`--reword K`, default 2; 0 turns rewording off). */
const rewordCopies = Number(args.get('reword') ?? 2);
/** Also reword the template questions over swapped names (`--reword-swapped`). */
const rewordSwapped = args.has('reword-swapped');
/** `--names attached` writes the prompt format of policy runs 1–6 (src/core/prompt.ts NameStyle); default spaced. */
const names = args.get('names') ?? 'spaced';
if (names !== 'spaced' && names !== 'attached') throw new Error(`--names must be spaced or attached, not ${names}`);
/** `--links star` marks every linked column `*` (policy runs 1–9); default `kinds` (src/core/prompt.ts LinkMarks). */
const links = args.get('links') ?? 'kinds';
if (links !== 'kinds' && links !== 'star') throw new Error(`--links must be kinds or star, not ${links}`);
const format: PromptFormat = { ...(names === 'spaced' ? QUESTION_FIRST_SPACED : QUESTION_FIRST), ...(links === 'kinds' ? { links: 'kinds' as const } : {}) };
const SQL = await sqlJs();
const pool = new EnginePool(SQL, join(spider, 'database'));

const dropped: Record<string, number> = {};
const drop = (why: string) => (dropped[why] = (dropped[why] ?? 0) + 1);
const lines: string[] = [];
let seen = 0;
let augmented = 0;
const reworded: Record<RewordMode, number> = { implicit: 0, synonym: 0, both: 0 };
let renamed = 0;
let kept = 0;


function shuffle<T>(xs: T[], rand: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The same schema with tables and (non-key) columns in a random order. */
function shuffledSchema(schema: SchemaInfo, rand: () => number): SchemaInfo {
  const tables = shuffle(schema.tables, rand).map((t) => {
    const keys = t.columns.filter((c) => c.pk > 0);
    return { ...t, columns: [...keys, ...shuffle(t.columns.filter((c) => c.pk === 0), rand)] };
  });
  return { ...schema, tables };
}
/** Spider examples whose linked schema already holds every gold table (inference-time linking recall). */
let linkedAll = 0;
let promptChars = 0;
let targetChars = 0;
const stepHist: Record<number, number> = {};

/** A database as the template generator reads it: its tables, and rows from read queries (none on error). */
/** The columns holding a value the question says, as the studio finds them (src/core/valueLink.ts), synchronously. */
function dbValues(question: string, entry: { engine: SqlJsEngine; schema: SchemaInfo }): Set<string> {
  const found = new Set<string>();
  for (const q of valueQueries(question, entry.schema)) {
    const r = entry.engine.query(q.sql, 1);
    if (r.ok && r.result.rows.length > 0) found.add(q.key);
  }
  return found;
}

/** Decomposes, verifies and writes one example and its augmented copies; returns false when it was dropped. */
function addExample(ex: SpiderExample, split: string, copies: number, renameFrom: number, entry = pool.get(ex.db_id), swapped?: true): boolean {
  seen++;
  if (!entry) {
    drop('database file missing');
    return false;
  }
  const gold = entry.engine.query(ex.query, 1e6);
  if (!gold.ok) {
    drop('gold query does not execute');
    return false;
  }
  const sql = normalizeSql(ex.query, schemaNameTest(entry.schema));
  let t;
  try {
    t = normalizeTrajectory(decomposeSql(sql, entry.schema));
  } catch {
    drop('decomposer could not parse');
    return false;
  }
  const target = printWithoutNotes(t);
  const got = entry.engine.query(target, 1e6);
  if (!got.ok || !sameResult(gold.result.rows, got.result.rows, ordersResult(ex.query))) {
    drop('chain not equivalent to gold by execution');
    return false;
  }
  const link = linkSchema(ex.question, entry.schema, { valueColumns: dbValues(ex.question, entry) });
  const needed = queryTables(sql);
  const linked = new Set(link.tables.map((x) => x.toLowerCase()));
  const missing = [...needed].filter((x) => !linked.has(x));
  const templated = split === 'synthetic' || split === 'implied';
  if (missing.length === 0 && !templated) linkedAll++;
  // Training prompts always contain the gold tables, so every target is answerable from its prompt.
  const tables = entry.schema.tables.filter((x) => linked.has(x.name.toLowerCase()) || needed.has(x.name.toLowerCase())).map((x) => x.name);
  const prompt = buildPrompt(ex.question, serializeSchema(entry.schema, { ...link, tables }, schemaOptions(format)), format);
  promptChars += prompt.length;
  targetChars += target.length;
  if (!templated) stepHist[t.steps.length + 1] = (stepHist[t.steps.length + 1] ?? 0) + 1;
  const synthetic = templated || undefined;
  const base = { db_id: ex.db_id, split, synthetic, swapped, question: ex.question, gold: sql };
  lines.push(JSON.stringify({ ...base, prompt, target }));
  kept++;
  if (!swapped || rewordSwapped) addReworded(ex, split, entry.schema, entry.engine, needed, target, base);
  for (let k = 1; k < copies; k++) {
    const rand = seeded(`${split}:${seen}:${k}`);
    let schema = shuffledSchema(entry.schema, rand);
    const others = schema.tables.filter((x) => !tables.includes(x.name));
    const extra = others.length > 0 && rand() < 0.5 ? [others[Math.floor(rand() * others.length)]!.name] : [];
    let keep = schema.tables.filter((x) => tables.includes(x.name) || extra.includes(x.name)).map((x) => x.name);
    let columns = link.columns;
    let varTarget = target;
    if (k >= renameFrom) {
      const map = renameMap(schema, rand);
      const to = (n: string) => map.get(n.toLowerCase()) ?? n;
      schema = renameSchema(schema, map);
      keep = keep.map(to);
      columns = new Set([...link.columns].map((tc) => tc.split('.').map(to).join('.').toLowerCase()));
      varTarget = renameSql(target, map);
      renamed++;
    }
    const text = serializeSchema(schema, { ...link, columns, tables: keep }, { ...schemaOptions(format), examplesPerColumn: Math.floor(rand() * 3) });
    lines.push(JSON.stringify({ ...base, aug: k, renamed: k >= renameFrom || undefined, prompt: buildPrompt(ex.question, text, format), target: varTarget }));
    augmented++;
  }
  return true;
}

/**
 * Copies of an example whose question is reworded (src/core/lexicon/reword.ts): one with explicit column mentions
 * removed, when a rule applies, and `rewordCopies` with synonyms for schema words. Each prompt is linked from the
 * reworded question, so its links are the ones the studio would find; the gold tables are always kept.
 */
function addReworded(ex: SpiderExample, split: string, schema: SchemaInfo, engine: SqlJsEngine, needed: Set<string>, target: string, base: object) {
  const tableNames = schema.tables.map((t) => t.name);
  const columnNames = schema.tables.flatMap((t) => t.columns.map((c) => c.name));
  const modes: RewordMode[] = ['implicit', ...Array.from({ length: rewordCopies }, () => 'synonym' as const)];
  const done = new Set<string>();
  modes.forEach((mode, i) => {
    const question = reword(ex.question, tableNames, columnNames, seeded(`reword:${split}:${seen}:${i}`), mode);
    if (!question || done.has(question)) return;
    done.add(question);
    const link = linkSchema(question, schema, { valueColumns: dbValues(question, { engine, schema }) });
    const tables = schema.tables.filter((x) => link.tables.includes(x.name) || needed.has(x.name.toLowerCase())).map((x) => x.name);
    const text = serializeSchema(schema, { ...link, tables }, schemaOptions(format));
    lines.push(JSON.stringify({ ...base, question, aug: mode, prompt: buildPrompt(question, text, format), target }));
    reworded[mode]++;
  });
}

const trainDbs = new Set<string>();
let spiderKept = 0;
for (const file of ['train_spider.json', 'train_others.json']) {
  for (const ex of readExamples(join(spider, file))) {
    trainDbs.add(ex.db_id);
    if (addExample(ex, file.replace('.json', ''), variants, renamedFrom)) spiderKept++;
  }
}
const spiderSeen = seen;

/**
 * Up to `perDb` questions per training database from `generator` (seeded per database), each written with `copies`
 * prompt variants, renamed from copy `renameFrom` on; returns the examples kept.
 */
function templateQuestions(split: string, perDb: number, copies: number, renameFrom: number, generator: (db: SynthDb, rand: () => number) => { generate(n: number): SpiderExample[] }): number {
  let kept = 0;
  for (const dbId of [...trainDbs].sort()) {
    const entry = pool.get(dbId);
    if (!entry || perDb <= 0) continue;
    const gen = generator(synthDbOf(dbId, entry), seeded(`${split === 'synthetic' ? 'synth' : split}:${dbId}`));
    for (const ex of gen.generate(perDb)) if (addExample(ex, split, copies, renameFrom)) kept++;
  }
  return kept;
}
// Template questions over the same training databases (scripts/lib/synthQuestions.ts): a plain and a renamed copy each.
const synthKept = templateQuestions('synthetic', synthPerDb, 2, 1, (db, rand) => new SynthGenerator(db, rand));
// Template questions phrased from a column's meaning and values (scripts/lib/impliedQuestions.ts), over the real names
// only: a plain and a shuffled copy each, never renamed, since "the oldest" says `Age` only while it is called Age.
const impliedKept = templateQuestions('implied', impliedPerDb, 2, 2, (db, rand) => new ImpliedGenerator(db, rand));

// Template questions over copies of the training databases whose names are swapped for other databases' names.
const tablePool = [...new Set([...trainDbs].flatMap((id) => pool.get(id)?.schema.tables.map((t) => t.name) ?? []))].sort();
const columnPool = [...new Set([...trainDbs].flatMap((id) => pool.get(id)?.schema.tables.flatMap((t) => t.columns.map((c) => c.name)) ?? []))].sort();
/**
 * Template questions over `copies` copies of every training database renamed by `mapOf` (ALTER TABLE on an in-memory
 * copy); returns the examples kept and the renames SQLite refused.
 */
function renamedCopies(copies: number, key: string, mapOf: (schema: SchemaInfo, rand: () => number) => Map<string, string>) {
  let kept = 0;
  let failedRenames = 0;
  for (const dbId of [...trainDbs].sort()) {
    const entry = pool.get(dbId);
    if (!entry || synthPerDb <= 0) continue;
    const bytes = readFileSync(dbPath(join(spider, 'database'), dbId));
    for (let k = 0; k < copies; k++) {
      const rand = seeded(`${key}:${dbId}:${k}`);
      const copy = renamedDatabase(SQL, bytes, entry.schema, mapOf(entry.schema, rand));
      failedRenames += copy.failed;
      const engine = new SqlJsEngine(SQL);
      engine.open(copy.bytes);
      const renamedEntry = { engine, schema: engine.schema() };
      const gen = new SynthGenerator(synthDbOf(dbId, renamedEntry), rand);
      for (const ex of gen.generate(synthPerDb)) if (addExample(ex, 'synthetic', 1, 1, renamedEntry, true)) kept++;
      engine.close();
    }
  }
  return { kept, failedRenames };
}
const swap = renamedCopies(swapCopies, 'swap', (schema, rand) => swapMap(schema, tablePool, columnPool, rand));
const invented = renamedCopies(inventCopies, 'invent', (schema, rand) => inventedMap(schema, rand, oddNames));

mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'train.jsonl'), lines.join('\n') + '\n');
const stats = {
  source: 'Spider 1.0 train_spider.json + train_others.json (dev is never used), plus template questions over the same training databases',
  examples: spiderSeen,
  kept: spiderKept,
  synthetic: { perDatabase: synthPerDb, kept: synthKept },
  implied: { perDatabase: impliedPerDb, kept: impliedKept },
  swapped: { copiesPerDatabase: swapCopies, kept: swap.kept, failedRenames: swap.failedRenames },
  invented: { copiesPerDatabase: inventCopies, oddNames, kept: invented.kept, failedRenames: invented.failedRenames },
  augmentedCopies: augmented,
  rewordedCopies: { ...reworded, perExample: rewordCopies, swapped: rewordSwapped },
  renamedCopies: renamed,
  promptFormat: format,
  dropped,
  linkingRecall: Number((linkedAll / Math.max(1, spiderKept)).toFixed(4)),
  promptChars,
  targetChars,
  stepsPerSpiderChain: stepHist,
};
writeFileSync(join(outDir, 'stats.json'), JSON.stringify(stats, null, 2));
console.log(JSON.stringify(stats));
console.log(`data: kept ${spiderKept}/${spiderSeen} Spider examples and ${synthKept} + ${impliedKept} template examples (+${swap.kept} on swapped names, +${invented.kept} on invented names), ${augmented} augmented copies (${join(outDir, 'train.jsonl')})`);
