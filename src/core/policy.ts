/**
 * Answers a question with the policy: builds the prompt from the linked schema, decodes step by step, runs each
 * finished step at once (so its rows can be shown while the next step is written), and returns the chain with the
 * per-step token entropies.
 */
import { parseCoCTE, printCoCTE, stepPrefixSql } from './cocte';
import { decode, stepEnds, type CausalLM, type DecodeOptions, type DecodeResult } from './decode';
import { buildPrompt, SCHEMA_FIRST, schemaOptions, serializeSchema, type PromptFormat } from './prompt';
import { linkSchema } from './schemaLink';
import { valueColumns } from './valueLink';
import type { TextTokenizer } from './tokenizer';
import type { QueryOutcome, SchemaInfo, Trajectory } from './types';

export interface PolicyStep {
  index: number;
  name: string;
  sql: string;
  outcome: QueryOutcome;
  /** Mean token entropy (nats) of this step's tokens. */
  meanEntropy: number;
}

export interface PolicyAnswer {
  prompt: string;
  text: string;
  trajectory: Trajectory;
  /** The composed query (canonical CoCTE text). */
  sql: string;
  steps: PolicyStep[];
  decoded: DecodeResult;
}

export interface AnswerOptions extends Omit<DecodeOptions, 'onStep'> {
  onStep?: (step: PolicyStep) => void;
  /**
   * Feed each finished step's execution summary (`  -- 12 rows` or `  -- error: …`) back to the model before it
   * writes the next step. Off by default: on the embedded policy it was measured not to help (see the model card).
   */
  executionFeedback?: boolean;
  /** With `fallbackTries`: a final query with no rows counts as failed too (see finalRunner). */
  fallbackEmpty?: boolean;
  /** How the prompt's schema is linked (default 'meaning'). */
  linking?: Linking;
  /** The question's value columns when the caller has already looked them up (`questionValues`). */
  values?: Set<string>;
}

/** A compact execution summary of a step, as fed back to the policy. */
export function stepSummary(outcome: QueryOutcome): string {
  if (!outcome.ok) return `  -- error: ${outcome.error.replace(/\s+/g, ' ').slice(0, 60)}\n`;
  return `  -- ${outcome.result.totalRows} row${outcome.result.totalRows === 1 ? '' : 's'}\n`;
}

/** Tokens a prompt leaves the chain at least in the model's context; a longer prompt is shrunk (`policyPrompt`). */
export const CHAIN_ROOM = 192;

/**
 * How the prompt's schema is linked to the question: `meaning` (default) by name, meaning (WordNet) and database value,
 * with the tables that name a kept table's rows; `names` by name and example value only, as policy runs 1–9 were
 * trained (src/core/schemaLink.ts).
 */
export type Linking = 'meaning' | 'names';

/** What a prompt is built from besides the question and schema. */
export interface PromptInputs {
  /** Shrink the prompt to this many tokens (`promptBudget`). */
  budget?: PromptBudget;
  /** Columns holding a value the question says (`questionValues`). */
  values?: Set<string>;
  linking?: Linking;
}

/** The columns holding a value the question says (src/core/valueLink.ts); none when linking by names. */
export async function questionValues(question: string, schema: SchemaInfo, run: (sql: string) => Promise<QueryOutcome> | QueryOutcome, linking: Linking = 'meaning'): Promise<Set<string> | undefined> {
  return linking === 'names' ? undefined : valueColumns(question, schema, run);
}

/** How long a prompt may be, in the model's tokens. */
export interface PromptBudget {
  count: (text: string) => number;
  maxTokens: number;
}

/** The prompt budget of a model with a known context: its context less `CHAIN_ROOM`. */
export function promptBudget(lm: Pick<CausalLM, 'contextLength'>, tok: TextTokenizer): PromptBudget | undefined {
  return lm.contextLength ? { count: (text) => tok.encode(text).length, maxTokens: lm.contextLength - CHAIN_ROOM } : undefined;
}

/**
 * The policy's prompt: the question and its linked schema (src/core/schemaLink.ts). Over `budget` it is shrunk until
 * it fits: first without example values, then without kept tables, the least linked first (a table with a linked
 * column goes last), down to one table.
 */
export function policyPrompt(question: string, schema: SchemaInfo, format: PromptFormat = SCHEMA_FIRST, { budget, values, linking = 'meaning' }: PromptInputs = {}): string {
  const link = linkSchema(question, schema, linking === 'names' ? { meaning: false, impliedNames: false } : { valueColumns: values });
  const opts = schemaOptions(format);
  let prompt = buildPrompt(question, serializeSchema(schema, link, opts), format);
  if (!budget || budget.count(prompt) <= budget.maxTokens) return prompt;
  const bare = { ...opts, examplesPerColumn: 0 };
  const linked = (t: string) => [...link.columns].some((c) => c.startsWith(`${t.toLowerCase()}.`));
  const order = [...link.tables].sort((a, b) => Number(linked(a)) - Number(linked(b)) || (link.tableScores.get(a.toLowerCase()) ?? 0) - (link.tableScores.get(b.toLowerCase()) ?? 0));
  let tables = link.tables;
  for (let dropped = 0; ; dropped++) {
    prompt = buildPrompt(question, serializeSchema(schema, { ...link, tables }, bare), format);
    if (budget.count(prompt) <= budget.maxTokens || tables.length <= 1) return prompt;
    tables = tables.filter((t) => t !== order[dropped]);
  }
}

export async function answer(
  lm: CausalLM,
  tok: TextTokenizer,
  schema: SchemaInfo,
  question: string,
  runQuery: (sql: string) => Promise<QueryOutcome>,
  opts: AnswerOptions = {},
): Promise<PolicyAnswer> {
  const values = opts.values ?? (await questionValues(question, schema, runQuery, opts.linking));
  const prompt = policyPrompt(question, schema, lm.promptFormat, { budget: promptBudget(lm, tok), values, linking: opts.linking });
  const steps: PolicyStep[] = [];
  const decoded = await decode(lm, tok, prompt, { ...opts, onStep: stepRunner(runQuery, steps, opts), ...finalCheck(runQuery, opts) });
  return finishAnswer(prompt, decoded, steps, runQuery, opts.onStep);
}

/**
 * The decoder's `onStep` for a chain: runs each finished step's view at once, records it in `steps`, reports it, and
 * rejects a failing step when the decoder will act on it (`retryable`: a fallback or a retry is left), before
 * anything builds on it.
 */
export function stepRunner(
  runQuery: (sql: string) => Promise<QueryOutcome>,
  steps: PolicyStep[],
  opts: Pick<AnswerOptions, 'executionFeedback' | 'onStep'>,
): NonNullable<DecodeOptions['onStep']> {
  return async (text, index, retryable) => {
    const found = closedStep(text, index);
    if (!found) return;
    const { step, sql } = found;
    const outcome = await runQuery(sql);
    if (!outcome.ok && retryable) return false;
    const s: PolicyStep = { index, name: step.name, sql: step.sql, outcome, meanEntropy: 0 };
    steps.length = Math.min(steps.length, index);
    steps.push(s);
    opts.onStep?.(s);
    return opts.executionFeedback ? stepSummary(outcome) : true;
  };
}

/**
 * The decoder's `onFinal`: whether the whole chain's final query executes (and, with `nonEmpty`, returns a row: the
 * execution-guided decoding of Wang et al. 2018 also discards programs with empty results).
 */
export function finalRunner(runQuery: (sql: string) => Promise<QueryOutcome>, nonEmpty = false): NonNullable<DecodeOptions['onFinal']> {
  return async (text) => {
    const t = parseCoCTE(text).trajectory;
    const o = await runQuery(stepPrefixSql(t, t.steps.length));
    return o.ok && (!nonEmpty || o.result.totalRows > 0);
  };
}

/** The decoder's `onFinal` when the execution-guided fallback is on (it is the only one to act on it). */
export function finalCheck(runQuery: (sql: string) => Promise<QueryOutcome>, opts: Pick<AnswerOptions, 'fallbackTries' | 'fallbackEmpty'>): Pick<DecodeOptions, 'onFinal'> {
  return opts.fallbackTries ? { onFinal: finalRunner(runQuery, opts.fallbackEmpty) } : {};
}

/** Step `index` of a chain whose text ends just after that step's closing line, and the SQL that runs its view. */
function closedStep(text: string, index: number): { step: { name: string; sql: string }; sql: string } | null {
  // The step's closing line may end with the comma that announces the next step: drop it to parse the prefix.
  const t = parseCoCTE(`${text.replace(/,\s*$/, '\n')}SELECT 1`).trajectory;
  const step = t.steps[index];
  return step ? { step, sql: stepPrefixSql(t, index) } : null;
}

/**
 * The beam decoder's execution check (beamDecode.ts): runs step `index` just closed, or the whole chain when
 * `final`; false when it fails to execute.
 */
export function chainCheck(runQuery: (sql: string) => Promise<QueryOutcome>): (text: string, index: number, final: boolean) => Promise<boolean> {
  const finalQuery = finalRunner(runQuery);
  return async (text, index, final) => {
    if (final) return finalQuery(text, false);
    const found = closedStep(text, index);
    return !found || (await runQuery(found.sql)).ok;
  };
}

/** Runs the steps of a finished chain through a decoder `onStep` handler, in order (after a beam search). */
export async function replaySteps(text: string, onStep: NonNullable<DecodeOptions['onStep']>): Promise<void> {
  for (const [k, end] of stepEnds(text).entries()) await onStep(text.slice(0, end), k, false);
}

/**
 * Every step's outcome of a finished chain's text, as the decoder's step runner and `finishAnswer` produced them
 * (steps in order, the whole chain's final query last): what the PRM reads when a saved chain is scored again.
 */
export async function replayChain(text: string, runQuery: (sql: string) => Promise<QueryOutcome>): Promise<QueryOutcome[]> {
  const steps: PolicyStep[] = [];
  await replaySteps(text, stepRunner(runQuery, steps, {}));
  const trajectory = parseCoCTE(text).trajectory;
  const finalIndex = trajectory.steps.length;
  return [...steps.slice(0, finalIndex).map((s) => s.outcome), await runQuery(stepPrefixSql(trajectory, finalIndex))];
}

/** Runs the final query of a finished decode and assembles the answer (steps with their mean entropies). */
export async function finishAnswer(
  prompt: string,
  decoded: DecodeResult,
  steps: PolicyStep[],
  runQuery: (sql: string) => Promise<QueryOutcome>,
  onStep?: (step: PolicyStep) => void,
): Promise<PolicyAnswer> {
  const trajectory = parseCoCTE(decoded.text).trajectory;
  const finalIndex = trajectory.steps.length;
  const outcome = await runQuery(stepPrefixSql(trajectory, finalIndex));
  const final: PolicyStep = { index: finalIndex, name: 'final', sql: trajectory.final.sql, outcome, meanEntropy: 0 };
  const all = [...steps.slice(0, finalIndex), final];
  onStep?.(final);
  assignEntropies(decoded, all);
  return { prompt, text: decoded.text, trajectory, sql: printCoCTE(trajectory), steps: all, decoded };
}

/** Splits the token entropies at the step boundaries (`  ),` lines) and averages each step's share. */
export function assignEntropies(d: Pick<DecodeResult, 'text' | 'tokenEnds' | 'entropies'>, steps: { meanEntropy: number }[]): void {
  const bounds = stepEnds(d.text);
  let k = 0;
  const sums = new Array<number>(steps.length).fill(0);
  const counts = new Array<number>(steps.length).fill(0);
  d.tokenEnds.forEach((end, i) => {
    while (k < bounds.length && end > bounds[k]!) k++;
    const s = Math.min(k, steps.length - 1);
    sums[s]! += d.entropies[i]!;
    counts[s]!++;
  });
  steps.forEach((s, i) => (s.meanEntropy = counts[i] ? sums[i]! / counts[i]! : 0));
}
