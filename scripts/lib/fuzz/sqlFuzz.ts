/**
 * SQL fuzz: mutated seed queries (sqlMutate.ts) and grammar-generated SELECTs (sqlGrammar.ts), each on its seed's
 * database, through what the studio does with SQL text:
 *  - the CoCTE parser and printer (cocte.ts): printing what was parsed must be a fixed point of parse-then-print;
 *  - the decomposer (decompose.ts): a refusal must be a DecomposeError with a clear message; a chain must give the
 *    original's result by execution (resultCompare.ts sameResult), and each step's prefix must run; when not, the
 *    report says why (the original fails, the chain fails, a step fails, different rows, cancelled, over the row cap);
 *  - the prefix checker (sqlcheck/checker.ts): viability of cut texts, completeness, and the closer, whose close
 *    must be a complete chain;
 *  - the constraint the studio decodes with (answerConfig.ts: the name rules of constrain.ts, the literal and number
 *    rules, the prefix checker) on the text cut at a random token, with that token most likely.
 * Every statement is also run on the real engine through the worker client, and its error message judged.
 * An exception out of any of these calls is a crash, a call over 1 s a hang.
 */
import { readFileSync } from 'node:fs';
import { parseCoCTE, printCoCTE, printWithoutNotes, stepPrefixSql } from '../../../src/core/cocte';
import { describeStep } from '../../../src/core/describeStep';
import { answerSettings, ConstraintBuilder, type AnswerConstraint } from '../../../src/core/answerConfig';
import { DecomposeError, decomposeSql, sqliteRefusal } from '../../../src/core/decompose';
import { sameResult } from '../../../src/core/resultCompare';
import { ordersResult } from '../../../src/core/sqlAst';
import { PrefixChecker } from '../../../src/core/sqlcheck/checker';
import type { QueryOutcome, SchemaInfo, Trajectory } from '../../../src/core/types';
import { SqlEngineClient } from '../../../src/workers/sqlEngineClient';
import { nodeSqlWorker } from '../nodeWorkerShim';
import { FamilyReport, Rng, scaled, type FuzzOptions } from './common';
import { loadSeeds, policyVocabulary, type Seed } from './seeds';
import { SqlGrammar } from './sqlGrammar';
import { SqlMutator } from './sqlMutate';

/** Statements at scale 1. */
export const SQL_STATEMENTS = 10_000;
/** Share of grammar-generated statements (the rest are mutated seeds). */
const GRAMMAR_SHARE = 0.3;
/** Rows kept per result for the comparison; past it only row counts are compared. */
const MAX_ROWS = 5000;
/** Query timeout on the engine worker: a mutated join can be a runaway. */
const QUERY_TIMEOUT_MS = 1500;

interface Work {
  seed: Seed;
  /** A second seed of the same database, to splice with. */
  other: Seed;
  grammar: boolean;
}

export async function sqlFuzz(opts: FuzzOptions): Promise<FamilyReport> {
  const report = new FamilyReport('sql');
  const rng = new Rng(opts.seed);
  const { seeds, dbFile, from } = loadSeeds(opts.spider);
  report.count(`seeds from ${from}`, seeds.length);
  const total = scaled(SQL_STATEMENTS, opts);
  // Seeds are drawn at random, then grouped by database so that each database is opened once.
  const byDb = new Map<string, Work[]>();
  for (let i = 0; i < total; i++) {
    const seed = rng.pick(seeds);
    const list = byDb.get(seed.db) ?? [];
    list.push({ seed, other: seed, grammar: rng.chance(GRAMMAR_SHARE) });
    byDb.set(seed.db, list);
  }
  const sameDb = new Map<string, Seed[]>();
  for (const s of seeds) sameDb.set(s.db, [...(sameDb.get(s.db) ?? []), s]);
  for (const list of byDb.values()) for (const w of list) w.other = rng.pick(sameDb.get(w.seed.db)!);

  const { texts, tok } = policyVocabulary();
  const builder = new ConstraintBuilder(texts, answerSettings('greedy', null));
  const logits = new Float32Array(texts.length);
  const client = new SqlEngineClient({ createWorker: nodeSqlWorker, queryTimeoutMs: QUERY_TIMEOUT_MS });
  try {
    for (const [db, work] of [...byDb].sort(([a], [b]) => a.localeCompare(b))) {
      await client.open(new Uint8Array(readFileSync(dbFile.get(db)!)));
      const schema = await client.schema();
      const checker = new PrefixChecker(schema);
      const grammar = new SqlGrammar(schema, rng);
      const mutator = new SqlMutator(schema, rng);
      for (const w of work) {
        const sql = w.grammar ? grammar.statement() : mutator.mutate(w.seed.sql, w.other.sql);
        report.inputs++;
        report.count(w.grammar ? 'grammar-generated' : `mutated ${w.seed.source}`);
        const constraint = builder.forQuestion(schema, w.seed.question, db);
        await oneStatement(report, rng, { sql, schema, client, checker, constraint, vocab: { texts, tok }, logits });
      }
    }
  } finally {
    client.dispose();
  }
  return report;
}

interface StatementCtx {
  sql: string;
  schema: SchemaInfo;
  client: SqlEngineClient;
  checker: PrefixChecker;
  constraint: AnswerConstraint | null;
  vocab: ReturnType<typeof policyVocabulary>;
  logits: Float32Array;
}

async function oneStatement(report: FamilyReport, rng: Rng, c: StatementCtx): Promise<void> {
  const { sql, schema, client } = c;
  // 1. The CoCTE parser and printer.
  const parsed = report.run('cocte.parse', sql, () => parseCoCTE(sql).trajectory);
  if ('value' in parsed) {
    // The step timeline describes every step that has no note (describeStep parses its SQL).
    for (const step of [...parsed.value.steps, parsed.value.final]) report.run('describeStep', step.sql, () => describeStep(step.sql));
    const printed = report.run('cocte.print', sql, () => printCoCTE(parsed.value));
    if ('value' in printed) {
      const again = report.run('cocte.reparse', printed.value, () => printCoCTE(parseCoCTE(printed.value).trajectory));
      if ('value' in again && again.value !== printed.value) report.note('cocte round trip unstable', 'cocte', sql, again.value);
    }
  }
  // 2. The original on the engine (a person may run any text), then the decomposer.
  const original = await client.query(sql, MAX_ROWS);
  if (!original.ok) report.message(`engine (${original.kind})`, sql, original.error);
  // As the studio's Decompose does (decomposeRunnable): a query SQLite refuses is refused with SQLite's message.
  const refusal = await sqliteRefusal(sql, (q) => client.query(q, 1));
  const decomposed = refusal ? { error: new DecomposeError(refusal) } : report.run('decomposeSql', sql, () => decomposeSql(sql, schema), (e) => e instanceof DecomposeError);
  let text = sql;
  if ('error' in decomposed) {
    report.count('decompose refused');
    if (decomposed.error instanceof DecomposeError) report.message('decomposeSql', sql, decomposed.error.message);
  } else {
    const chain = printCoCTE(decomposed.value);
    // The checker and the constraint read chains as the policy writes them: without the notes.
    text = printWithoutNotes(decomposed.value);
    const again = report.run('cocte.reparse chain', chain, () => printCoCTE(parseCoCTE(chain).trajectory));
    if ('value' in again && again.value !== chain) report.note('cocte round trip unstable', 'decomposed chain', sql, again.value);
    await compareChain(report, sql, decomposed.value, chain, original, client);
  }
  // 3. The prefix checker on the chain (or the text when it did not decompose), cut at two random places.
  const cuts = [rng.int(text.length + 1), rng.int(text.length + 1)].sort((a, b) => a - b);
  for (const at of cuts) {
    const prefix = text.slice(0, at);
    report.run('checker.viable', prefix, () => c.checker.viable(prefix));
    report.run('checker.admits', prefix, () => c.checker.admits(prefix, text.slice(at, at + rng.range(1, 4))));
  }
  const complete = report.run('checker.complete', text, () => c.checker.complete(text));
  if ('value' in complete) report.count(complete.value ? 'checker: complete' : 'checker: not complete');
  const cut = text.slice(0, cuts[0]);
  const closed = report.run('checker.closing', cut, () => c.checker.closing(cut));
  if ('value' in closed && closed.value !== null) {
    report.count('closed');
    const done = report.run('checker.complete(close)', closed.value, () => c.checker.complete(closed.value!));
    if ('value' in done && !done.value) report.note('close is not a complete chain', 'checker.closing', cut, closed.value);
    const run = await client.query(closed.value, 1);
    if (!run.ok) report.message('engine (closed chain)', closed.value, run.error);
    if (!run.ok && run.kind === 'timeout') report.count('closed chain cancelled (a join without a condition)');
    else if (!run.ok) report.note('closed chain fails', 'checker.closing', cut, `${closed.value}\n-> ${run.error}`);
  }
  // 4. The constraint, at a random token of the text with that token on top.
  if (c.constraint) {
    const ids = c.vocab.tok.encode(text);
    const at = rng.int(ids.length + 1);
    const prefix = c.vocab.tok.decode(ids.slice(0, at));
    for (let i = 0; i < c.logits.length; i++) c.logits[i] = rng.float();
    c.logits[ids[at] ?? c.vocab.tok.eosId] = 5;
    const applied = report.run('constraint.apply', prefix, () => c.constraint!.apply(prefix, c.logits));
    if ('value' in applied && !applied.value) report.count('constraint: dead end');
  }
}

/** Runs the chain and its step prefixes against the original and says how they compare. */
async function compareChain(report: FamilyReport, sql: string, t: Trajectory, chain: string, original: QueryOutcome, client: SqlEngineClient): Promise<void> {
  const why = (reason: string, detail: string) => report.note(`chain: ${reason}`, 'decomposed chain', sql, detail);
  const got = await client.query(chain, MAX_ROWS);
  if (!got.ok) report.message(`engine (chain, ${got.kind})`, chain, got.error);
  if (!original.ok) {
    if (original.kind === 'timeout') return why('original cancelled', original.error);
    return why(got.ok ? 'original fails, chain runs' : 'original and chain fail', `${original.error} | ${got.ok ? 'chain ok' : got.error}`);
  }
  if (!got.ok) return why(got.kind === 'timeout' ? 'chain cancelled' : 'chain fails', `${got.error}\n${chain}`);
  for (let i = 0; i < t.steps.length; i++) {
    const step = await client.query(stepPrefixSql(t, i), 1);
    if (!step.ok) {
      report.message('engine (step)', stepPrefixSql(t, i), step.error);
      if (step.kind !== 'timeout') return why('step fails', `step ${t.steps[i]!.name}: ${step.error}\n${chain}`);
    }
  }
  const a = original.result;
  const b = got.result;
  if (a.truncated || b.truncated) {
    if (a.totalRows === b.totalRows) return void report.count('chain: same row count (over the row cap)');
    return why('different row count', `${a.totalRows} against ${b.totalRows} rows\n${chain}`);
  }
  const ordered = report.run('ordersResult', sql, () => ordersResult(sql));
  if ('error' in ordered) return;
  if (sameResult(a.rows, b.rows, ordered.value)) return void report.count('chain: equal by execution');
  // The same rows in another order: ORDER BY ties broken another way (or bare columns of an aggregate query).
  if (ordered.value && sameResult(a.rows, b.rows, false)) return why('same rows, another order (ties in ORDER BY)', chain);
  why('different result', `${a.totalRows} against ${b.totalRows} rows${ordered.value ? ' (ordered)' : ''}\n${chain}`);
}

