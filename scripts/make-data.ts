/**
 * Builds the policy's training data from Spider's training sets (train_spider + train_others; never dev).
 *   npm run data -- --spider ../shared/data/spider [--out models/data]
 * Every gold query is normalized, decomposed into a CoCTE chain and kept only when the chain returns the same
 * result as the gold query. The prompt holds the linked, pruned schema and the question. Writes train.jsonl,
 * stats.json and DATA_CARD.md; prints, as its last line, `data: kept K/N examples`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeTrajectory, printCoCTE } from '../src/core/cocte';
import { decomposeSql } from '../src/core/decompose';
import { buildPrompt, serializeSchema } from '../src/core/prompt';
import { sameResult } from '../src/core/resultCompare';
import { linkSchema } from '../src/core/schemaLink';
import { ordersResult, parseSqlite, walk, type Node } from '../src/core/sqlAst';
import { normalizeSql } from '../src/core/sqlFormat';
import type { SchemaInfo } from '../src/core/types';
import { EnginePool, flags, readExamples, sqlJs } from './lib/spider';

const args = flags(process.argv.slice(2));
const spider = args.get('spider') ?? '../shared/data/spider';
const outDir = args.get('out') ?? 'models/data';
const pool = new EnginePool(await sqlJs(), join(spider, 'database'));

export function goldTables(sql: string): Set<string> {
  const out = new Set<string>();
  for (const s of parseSqlite(sql).statements)
    walk(s, (n: Node) => {
      if (n.type === 'from_clause') {
        walk(n.expr as Node, (m) => {
          if (m.type === 'identifier') out.add(String(m.name).toLowerCase());
          if (m.type === 'alias') {
            const e = m.expr as Node;
            if (e.type === 'identifier') out.add(String(e.name).toLowerCase());
            return e.type !== 'identifier';
          }
          return m.type === 'join_expr' || m.type === 'paren_expr' || m.type === 'select_stmt' || m.type === 'compound_select_stmt';
        });
      }
      return true;
    });
  return out;
}

function nameTest(schema: SchemaInfo): (n: string) => boolean {
  const names = new Set<string>();
  for (const t of schema.tables) {
    names.add(t.name.toLowerCase());
    for (const c of t.columns) names.add(c.name.toLowerCase());
  }
  return (n) => names.has(n.toLowerCase());
}

const dropped: Record<string, number> = {};
const drop = (why: string) => (dropped[why] = (dropped[why] ?? 0) + 1);
const lines: string[] = [];
let seen = 0;
let linkedAll = 0;
let promptChars = 0;
let targetChars = 0;
const stepHist: Record<number, number> = {};

for (const file of ['train_spider.json', 'train_others.json']) {
  for (const ex of readExamples(join(spider, file))) {
    seen++;
    const entry = pool.get(ex.db_id);
    if (!entry) {
      drop('database file missing');
      continue;
    }
    const gold = entry.engine.query(ex.query, 1e6);
    if (!gold.ok) {
      drop('gold query does not execute');
      continue;
    }
    const sql = normalizeSql(ex.query, nameTest(entry.schema));
    let t;
    try {
      t = normalizeTrajectory(decomposeSql(sql, entry.schema));
    } catch {
      drop('decomposer could not parse');
      continue;
    }
    t = { ...t, steps: t.steps.map((s) => ({ ...s, note: '' })), final: { ...t.final, note: '' } };
    const target = printCoCTE(t);
    const got = entry.engine.query(target, 1e6);
    if (!got.ok || !sameResult(gold.result.rows, got.result.rows, ordersResult(ex.query))) {
      drop('chain not equivalent to gold by execution');
      continue;
    }
    const link = linkSchema(ex.question, entry.schema);
    const needed = goldTables(sql);
    const linked = new Set(link.tables.map((x) => x.toLowerCase()));
    const missing = [...needed].filter((x) => !linked.has(x));
    if (missing.length === 0) linkedAll++;
    // Training prompts always contain the gold tables, so every target is answerable from its prompt.
    const tables = entry.schema.tables.filter((x) => linked.has(x.name.toLowerCase()) || needed.has(x.name.toLowerCase())).map((x) => x.name);
    const prompt = buildPrompt(ex.question, serializeSchema(entry.schema, { ...link, tables }));
    promptChars += prompt.length;
    targetChars += target.length;
    stepHist[t.steps.length + 1] = (stepHist[t.steps.length + 1] ?? 0) + 1;
    lines.push(JSON.stringify({ db_id: ex.db_id, split: file.replace('.json', ''), question: ex.question, gold: sql, prompt, target }));
  }
}

mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'train.jsonl'), lines.join('\n') + '\n');
const stats = {
  source: 'Spider 1.0 train_spider.json + train_others.json (dev is never used)',
  examples: seen,
  kept: lines.length,
  dropped,
  linkingRecall: Number((linkedAll / Math.max(1, lines.length)).toFixed(4)),
  promptChars,
  targetChars,
  stepsPerChain: stepHist,
};
writeFileSync(join(outDir, 'stats.json'), JSON.stringify(stats, null, 2));
console.log(JSON.stringify(stats));
console.log(`data: kept ${lines.length}/${seen} examples (${join(outDir, 'train.jsonl')})`);
