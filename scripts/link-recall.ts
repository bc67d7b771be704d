/**
 * Schema-linking recall on a Spider-format question set, with today's linking (`now`: by name, meaning and database
 * value (src/core/valueLink.ts), plus
 * the tables that name a kept table's rows) and with names and values alone (`before`), on the original questions and
 * on the same questions reworded (src/core/lexicon/reword.ts, seeded as `npm run eval -- --reword`):
 *   npm run link:recall -- [--questions ../shared/data/spider/dev.json] [--tables …/tables.json]
 *     [--db-dir …/database] [--reword both|synonym|implicit] [--out eval/link-recall.json]
 * - table recall: questions whose prompt keeps every table of the gold query;
 * - column recall: the gold query's columns (of its tables, named in it) that the prompt marks as linked.
 * Only questions a rewording rule changes are counted, so both wordings are the same questions. Prints, last,
 * `link recall (reworded, now): tables X%, columns Y% …`. Also the mean number of tables a prompt keeps, and prompt
 * lengths against the context (`now`: the studio's prompt, shrunk to fit; `before`: unshrunk).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildPrompt, QUESTION_FIRST_KINDS, schemaOptions, serializeSchema } from '../src/core/prompt';
import { policyPrompt, promptBudget } from '../src/core/policy';
import { linkSchema } from '../src/core/schemaLink';
import { valueColumns } from '../src/core/valueLink';
import { loadTokenizer } from '../src/core/tokenizer';
import { queryTables } from '../src/core/sqlAst';
import { EnginePool, flags, readExamples, sqlJs } from './lib/spider';
import { rewordModeOf, SpiderRewording } from './lib/reworded';

const args = flags(process.argv.slice(2));
const questionsFile = args.get('questions') ?? '../shared/data/spider/dev.json';
const tablesFile = args.get('tables') ?? '../shared/data/spider/tables.json';
const dbDir = args.get('db-dir') ?? '../shared/data/spider/database';
const mode = rewordModeOf(args.get('reword')) ?? 'both';
const out = args.get('out') ?? `eval/link-recall-${mode}.json`;

const rewording = new SpiderRewording(tablesFile, mode);
const pool = new EnginePool(await sqlJs(), dbDir);
/** Prompt lengths in the embedded policy's tokens, against its context. */
const modelDir = args.get('model') ?? 'models/policy';
const tok = loadTokenizer(JSON.parse(readFileSync(`${modelDir}/tokenizer.json`, 'utf8')), JSON.parse(readFileSync(`${modelDir}/tokenizer_config.json`, 'utf8')));
const context = (JSON.parse(readFileSync(`${modelDir}/config.json`, 'utf8')) as { max_position_embeddings: number }).max_position_embeddings;
const promptTokens: Record<string, number[]> = {};

type Key = 'original' | 'reworded';
const counts = { n: 0, tables: {} as Record<string, number>, columns: {} as Record<string, number>, kept: {} as Record<string, number>, goldColumns: 0 };
for (const [i, ex] of readExamples(questionsFile).entries()) {
  const entry = pool.get(ex.db_id);
  if (!entry) continue;
  const question = rewording.question(ex, i);
  if (!question) continue;
  let gold: Set<string>;
  try {
    gold = queryTables(ex.query);
  } catch {
    continue;
  }
  const sqlWords = new Set(ex.query.toLowerCase().match(/[a-z_][a-z0-9_]*/g) ?? []);
  const goldColumns = entry.schema.tables
    .filter((t) => gold.has(t.name.toLowerCase()))
    .flatMap((t) => t.columns.filter((c) => sqlWords.has(c.name.toLowerCase())).map((c) => `${t.name}.${c.name}`.toLowerCase()));
  counts.n++;
  counts.goldColumns += goldColumns.length;
  for (const [wording, q] of [['original', ex.question], ['reworded', question]] as [Key, string][]) {
    for (const now of [false, true]) {
      const key = `${wording}, ${now ? 'now' : 'before'}`;
      const values = now ? await valueColumns(q, entry.schema, (sql) => entry.engine.query(sql, 1000)) : undefined;
      const link = linkSchema(q, entry.schema, now ? { valueColumns: values } : { meaning: false, impliedNames: false });
      const kept = new Set(link.tables.map((t) => t.toLowerCase()));
      counts.kept[key] = (counts.kept[key] ?? 0) + kept.size;
      const prompt = now
        ? policyPrompt(q, entry.schema, QUESTION_FIRST_KINDS, { budget: promptBudget({ contextLength: context }, tok), values })
        : buildPrompt(q, serializeSchema(entry.schema, link, schemaOptions(QUESTION_FIRST_KINDS)), QUESTION_FIRST_KINDS);
      (promptTokens[key] ??= []).push(tok.encode(prompt).length);
      if ([...gold].every((t) => kept.has(t))) counts.tables[key] = (counts.tables[key] ?? 0) + 1;
      counts.columns[key] = (counts.columns[key] ?? 0) + goldColumns.filter((c) => link.columns.has(c)).length;
    }
  }
}
const pct = (k: number, n: number) => Number(((100 * k) / Math.max(1, n)).toFixed(1));
const report = {
  questions: questionsFile,
  reword: mode,
  n: counts.n,
  goldColumns: counts.goldColumns,
  tableRecall: Object.fromEntries(Object.entries(counts.tables).map(([k, v]) => [k, pct(v, counts.n)])),
  columnRecall: Object.fromEntries(Object.entries(counts.columns).map(([k, v]) => [k, pct(v, counts.goldColumns)])),
  context,
  promptTokens: Object.fromEntries(
    Object.entries(promptTokens).map(([k, v]) => {
      const sorted = [...v].sort((a, b) => a - b);
      return [k, { median: sorted[sorted.length >> 1], p95: sorted[Math.floor(sorted.length * 0.95)], max: sorted[sorted.length - 1], overContext: v.filter((x) => x > context).length }];
    }),
  ),
  meanTablesKept: Object.fromEntries(Object.entries(counts.kept).map(([k, v]) => [k, Number((v / Math.max(1, counts.n)).toFixed(2))])),
};
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(report, null, 1));
console.log(JSON.stringify(report));
console.log(
  `link recall (reworded, now): tables ${report.tableRecall['reworded, now']}%, columns ${report.columnRecall['reworded, now']}% ` +
    `(before: ${report.tableRecall['reworded, before']}%, ${report.columnRecall['reworded, before']}%) on ${counts.n} reworded questions`,
);
