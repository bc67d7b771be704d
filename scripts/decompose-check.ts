/**
 * Decomposes every executable Spider gold query (train + dev) and checks the chain by execution.
 *   npm run decompose:check -- --spider ../shared/data/spider [--limit N] [--out eval/decompose-check.json] [--all]
 * Last line: `decomposed: N/M equivalent: K/M multi-step: J/M`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { printCoCTE, stepPrefixSql } from '../src/core/cocte';
import { decomposeSql } from '../src/core/decompose';
import { sameResult } from '../src/core/resultCompare';
import { ordersResult, queryShape } from '../src/core/sqlAst';
import { EnginePool, flags, readExamples, sqlJs } from './lib/spider';

const MAX_ROWS = 1_000_000;
const args = flags(process.argv.slice(2));
const spider = args.get('spider') ?? '../shared/data/spider';
const out = args.get('out') ?? 'eval/decompose-check.json';
const limit = Number(args.get('limit') ?? Infinity);

const files = ['train_spider.json', 'train_others.json', 'dev.json'];
const examples = files.flatMap((f) => readExamples(join(spider, f)).map((e) => ({ ...e, split: f.replace('.json', '') }))).slice(0, limit);
const pool = new EnginePool(await sqlJs(), join(spider, 'database'));

/** A query needs at least two steps when it has a subquery, a set operation, GROUP BY or a JOIN. */
function needsSplit(sql: string): boolean {
  const s = queryShape(sql);
  return s.join || s.subquery || s.setOperation || s.groupBy;
}

type Row = { split: string; db_id: string; query: string; status: string; reason?: string; cocte?: string; steps?: number };
const rows: Row[] = [];
let missingDb = 0;
let notExecutable = 0;
let decomposed = 0;
let equivalent = 0;
let multi = 0;
let needing = 0;
let needingMulti = 0;
const t0 = performance.now();

for (const ex of examples) {
  const entry = pool.get(ex.db_id);
  if (!entry) {
    missingDb++;
    continue;
  }
  const gold = entry.engine.query(ex.query, MAX_ROWS);
  if (!gold.ok) {
    notExecutable++;
    rows.push({ split: ex.split, db_id: ex.db_id, query: ex.query, status: 'gold-error', reason: gold.error });
    continue;
  }
  const row: Row = { split: ex.split, db_id: ex.db_id, query: ex.query, status: 'ok' };
  rows.push(row);
  let t;
  try {
    t = decomposeSql(ex.query, entry.schema);
  } catch (e) {
    row.status = 'decompose-error';
    row.reason = e instanceof Error ? e.message : String(e);
    continue;
  }
  decomposed++;
  const text = printCoCTE(t);
  row.cocte = text;
  row.steps = t.steps.length + 1;
  if (row.steps >= 2) multi++;
  if (needsSplit(ex.query)) {
    needing++;
    if (row.steps >= 2) needingMulti++;
    else row.reason = 'needs a split but gave one step';
  }
  const badPrefix = t.steps.map((_, i) => ({ i, o: entry.engine.query(stepPrefixSql(t, i), 1) })).find((p) => !p.o.ok);
  if (badPrefix && !badPrefix.o.ok) {
    row.status = 'prefix-error';
    row.reason = `step ${t.steps[badPrefix.i]!.name}: ${badPrefix.o.error}`;
    continue;
  }
  const got = entry.engine.query(text, MAX_ROWS);
  if (!got.ok) {
    row.status = 'chain-error';
    row.reason = got.error;
    continue;
  }
  if (!sameResult(gold.result.rows, got.result.rows, ordersResult(ex.query))) {
    row.status = 'different-result';
    row.reason = `gold ${gold.result.totalRows} rows, chain ${got.result.totalRows} rows`;
    continue;
  }
  equivalent++;
}

const M = rows.length - notExecutable;
const summary = {
  examples: examples.length,
  missingDb,
  notExecutable,
  executable: M,
  decomposed,
  equivalent,
  multiStep: multi,
  needSplit: needing,
  needSplitMultiStep: needingMulti,
  seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
};
mkdirSync(dirname(out), { recursive: true });
const failures = rows.filter((r) => r.status !== 'ok' && r.status !== 'gold-error');
const splitMisses = rows.filter((r) => r.reason === 'needs a split but gave one step');
// --all adds every query with its chain (about 10 MB); by default only failures are listed.
writeFileSync(out, JSON.stringify({ summary, failures, splitMisses, ...(args.has('all') ? { all: rows } : {}) }, null, 1));
const pct = (k: number) => `${((100 * k) / Math.max(1, M)).toFixed(2)}%`;
console.log(`examples ${examples.length}, missing db ${missingDb}, gold not executable ${notExecutable}, ${summary.seconds}s; details in ${out}`);
console.log(`needing a split: ${needingMulti}/${needing} split into >= 2 steps; equivalent ${pct(equivalent)}`);
console.log(`decomposed: ${decomposed}/${M} equivalent: ${equivalent}/${M} multi-step: ${multi}/${M}`);
