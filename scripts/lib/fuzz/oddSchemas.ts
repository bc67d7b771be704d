/**
 * Odd schemas: generated databases (oddSchemaGen.ts) opened on the real engine through the worker dispatcher, then
 * everything the studio does with a schema, which must not throw:
 *  - the schema reader (sqljsEngine.ts schema()): every table, view and column is there, under its own name;
 *  - the prompt (prompt.ts serializeSchema in both name styles, policy.ts policyPrompt), schema linking
 *    (schemaLink.ts) and the value lookups of linking by value (valueLink.ts), whose queries must run;
 *  - queries a person would write over the schema, quoted as SQL must quote (catalog.ts sqlName): each must run; the
 *    decomposer's chain must give the same rows (and each step's prefix run); the prefix checker must take the chain
 *    as complete, and the constraint the studio decodes with must admit it token by token as the policy would write
 *    it (as scripts/check-constraint.ts feeds gold chains: the chain's token on top, then the end token); the
 *    checker's close of a cut chain must run.
 */
import { normalizeTrajectory, printCoCTE, printWithoutNotes, stepPrefixSql } from '../../../src/core/cocte';
import { answerSettings, ConstraintBuilder, type AnswerConstraint } from '../../../src/core/answerConfig';
import { decomposeSql, DecomposeError } from '../../../src/core/decompose';
import { policyPrompt, questionValues } from '../../../src/core/policy';
import { QUESTION_FIRST_KINDS, serializeSchema } from '../../../src/core/prompt';
import { sameResult } from '../../../src/core/resultCompare';
import { linkSchema } from '../../../src/core/schemaLink';
import { ordersResult } from '../../../src/core/sqlAst';
import { PrefixChecker } from '../../../src/core/sqlcheck/checker';
import type { QueryOutcome, SchemaInfo } from '../../../src/core/types';
import { SqlJsEngine } from '../../../src/workers/sqljsEngine';
import { sqlJs } from '../spider';
import { FamilyReport, Rng, scaled, shown, type FuzzOptions, dispatcher } from './common';
import { oddDatabase, type OddDatabase, type OddTable } from './oddSchemaGen';
import { policyVocabulary } from './seeds';
import { goldQueries } from './oddQueries';

/** Databases at scale 1. */
export const ODD_DATABASES = 16;
/** Tokens of a chain replayed through the constraint (twice the policy's budget of 320). */
const REPLAY_TOKENS = 640;
/** The big BLOB at scale 1 (at most 50 MB, at least 1 MB). */
const BIG_BLOB_BYTES = 16 << 20;

export async function oddSchemaFuzz(opts: FuzzOptions): Promise<FamilyReport> {
  const report = new FamilyReport('schemas');
  const rng = new Rng(opts.seed + 2);
  const SQL = await sqlJs();
  const engine = new SqlJsEngine(SQL);
  const { texts, tok } = policyVocabulary();
  const blob = Math.min(50 << 20, Math.max(1 << 20, Math.round(BIG_BLOB_BYTES * opts.scale)));
  const ask = dispatcher(engine);
  const run = (sql: string): QueryOutcome => {
    const r = ask({ type: 'query', sql, maxRows: 1000 });
    return r.type === 'query' ? r.outcome : { ok: false, kind: 'engine', error: r.type === 'error' ? r.error : r.type };
  };
  for (let i = 0; i < scaled(ODD_DATABASES, opts); i++) {
    const odd = oddDatabase(SQL, rng, i, blob);
    for (const f of odd.features) report.count(`databases with ${f}`);
    const label = `database ${i}: ${odd.tables.map((t) => shown(t.name, 40)).join(', ')}`;
    const opened = report.run('open', label, () => ask({ type: 'open', bytes: odd.bytes }));
    if (!('value' in opened)) continue;
    if (opened.value.type !== 'opened') {
      report.note('a valid database refused', 'open', label, JSON.stringify(opened.value));
      continue;
    }
    const read = report.run('schema', label, () => ask({ type: 'schema' }));
    if (!('value' in read) || read.value.type !== 'schema') continue;
    const schema = read.value.schema;
    schemaMatches(report, label, odd, schema);
    const golds = goldQueries(odd, schema, rng);
    const question = golds.map((g) => g.question).join(' ');
    await prompts(report, label, question, schema, run);
    const builder = new ConstraintBuilder(texts, answerSettings('greedy', null));
    const checker = new PrefixChecker(schema);
    for (const g of golds) {
      report.inputs++;
      const constraint = builder.forQuestion(schema, g.question, label);
      oneQuery(report, g.sql, schema, run, checker, constraint, { texts, tok });
    }
  }
  engine.close();
  return report;
}

/** The schema reader must list every table, view and column under its own name. */
function schemaMatches(report: FamilyReport, label: string, odd: OddDatabase, schema: SchemaInfo): void {
  const byName = new Map(schema.tables.map((t) => [t.name, t]));
  const expect = [...odd.tables.map((t: OddTable) => ({ name: t.name, columns: t.columns.map((c) => c.name) })), ...odd.views];
  for (const e of expect) {
    const t = byName.get(e.name);
    if (!t) {
      report.note('schema reader misses a table', 'schema', label, e.name);
      continue;
    }
    const missing = e.columns.filter((c) => !t.columns.some((x) => x.name === c));
    if (missing.length) report.note('schema reader misses a column', 'schema', label, `${e.name}: ${missing.join(', ')}`);
  }
}

/** The prompt in both name styles, linking and the value lookups: no exception, and every lookup runs. */
async function prompts(report: FamilyReport, label: string, question: string, schema: SchemaInfo, run: (sql: string) => QueryOutcome): Promise<void> {
  report.run('serializeSchema', label, () => serializeSchema(schema));
  const link = report.run('linkSchema', question, () => linkSchema(question, schema));
  if ('value' in link) report.run('serializeSchema (linked, spaced)', label, () => serializeSchema(schema, link.value, { names: 'spaced', links: 'kinds' }));
  const lookups = (sql: string) => {
    const o = run(sql);
    if (!o.ok) report.note('value lookup fails', 'valueLink', sql, o.error);
    return o;
  };
  const values = await report.runAsync('questionValues', question, () => questionValues(question, schema, lookups));
  if ('value' in values) report.run('policyPrompt', question, () => policyPrompt(question, schema, QUESTION_FIRST_KINDS, { values: values.value }));
}

function oneQuery(
  report: FamilyReport,
  sql: string,
  schema: SchemaInfo,
  run: (sql: string) => QueryOutcome,
  checker: PrefixChecker,
  constraint: AnswerConstraint | null,
  vocab: ReturnType<typeof policyVocabulary>,
): void {
  const original = run(sql);
  if (!original.ok) {
    report.message('engine', sql, original.error);
    report.note('query fails', 'engine', sql, original.error);
    return;
  }
  const decomposed = report.run('decomposeSql', sql, () => decomposeSql(sql, schema), (e) => e instanceof DecomposeError);
  if (!('value' in decomposed)) {
    report.message('decomposeSql', sql, String((decomposed.error as Error).message));
    return report.note('decomposer refuses', 'decomposeSql', sql, String((decomposed.error as Error).message));
  }
  const t = normalizeTrajectory(decomposed.value);
  const chain = printCoCTE(t);
  const got = run(chain);
  if (!got.ok) return report.note('chain fails', 'decomposed chain', sql, `${got.error}\n${chain}`);
  for (let i = 0; i < t.steps.length; i++) {
    const step = run(stepPrefixSql(t, i));
    if (!step.ok) return report.note('step fails', 'decomposed chain', sql, `${step.error}\n${stepPrefixSql(t, i)}`);
  }
  if (!sameResult(original.result.rows, got.result.rows, ordersResult(sql))) return report.note('chain gives other rows', 'decomposed chain', sql, chain);
  report.count('chain equal by execution');
  // As the policy writes it: no notes.
  const text = printWithoutNotes(t);
  const complete = report.run('checker.complete', text, () => checker.complete(text));
  if ('value' in complete && !complete.value) report.note('checker rejects the chain', 'checker', sql, `${firstNonViable(checker, text)}\n${text}`);
  if (constraint) {
    const blocked = firstBlocked(report, constraint, vocab, text);
    if (blocked !== null) report.note('constraint blocks the chain', 'constraint', sql, blocked);
    else report.count('constraint admits the chain');
  }
  for (const at of [Math.floor(text.length / 3), Math.floor((2 * text.length) / 3)]) {
    const closed = report.run('checker.closing', text.slice(0, at), () => checker.closing(text.slice(0, at)));
    if (!('value' in closed) || closed.value === null) continue;
    const o = run(closed.value);
    if (!o.ok) report.note('closed chain fails', 'checker.closing', text.slice(0, at), `${o.error}\n${closed.value}`);
  }
}

/** Where the chain stops being a viable prefix for the checker (the text up to there), for the report. */
function firstNonViable(checker: PrefixChecker, text: string): string {
  for (let i = 1; i <= text.length; i++) if (!checker.viable(text.slice(0, i))) return `not viable at ${i}: ${JSON.stringify(text.slice(Math.max(0, i - 40), i))}`;
  return 'viable throughout, not complete at the end';
}

/**
 * The first token of the chain the constraint masks when it is the most likely one (or the end token), or null; each
 * token's call is one call for the crash and hang counts. The text so far is decoded from the tokens so far, as the
 * decoder does (decode.ts), so a character outside ASCII written as several byte tokens is whole once its last is.
 * A chain longer than REPLAY_TOKENS (a 1,000-character name is about 1,000 tokens; the policy writes at most 320)
 * is replayed up to there, and the end token is not tried.
 */
function firstBlocked(report: FamilyReport, c: AnswerConstraint, vocab: ReturnType<typeof policyVocabulary>, target: string): string | null {
  const all = vocab.tok.encode(target);
  const ids = all.slice(0, REPLAY_TOKENS);
  if (all.length > ids.length) report.count(`chains replayed to their first ${REPLAY_TOKENS} tokens`);
  const logits = new Float32Array(vocab.texts.length);
  for (let i = 0; i <= ids.length; i++) {
    const text = vocab.tok.decode(ids.slice(0, i));
    if (i === ids.length && all.length > ids.length) break;
    const id = i < ids.length ? ids[i]! : vocab.tok.eosId;
    logits.fill(0);
    logits[id] = 1;
    if ('error' in report.run('constraint.apply', text, () => c.apply(text, logits))) return 'the constraint threw';
    if (logits[id] === -Infinity) return i < ids.length ? `${JSON.stringify(text.slice(-60))} + ${JSON.stringify(vocab.texts[id])}` : `end token after ${JSON.stringify(text.slice(-60))}`;
  }
  return null;
}
