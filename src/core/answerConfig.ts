/**
 * One answer configuration: every setting that decides an answer, its default per strategy, the constraint it asks
 * for and the options it gives `search()`. The studio's model worker, `npm run eval`, `npm run bench` and
 * `npm run prm:samples` all build their decoding options here, so every figure in the README is measured with what
 * the studio runs. Defaults come from the model's generation_config.json where it has the value (max_new_tokens,
 * temperature), else from the constants here. Each setting, its default and why (figures from README.md):
 * - maxNewTokens 320 (generation_config.json, else DEFAULT_MAX_NEW_TOKENS): every README figure was measured with it.
 * - constrained on: restricting names to the schema is worth 2.5× EX (2.9% → 7.2% on the stride-7 subset, run 4).
 * - literals on: 97% (317/326) of the dev gold queries with string literals take every one from the question.
 * - numbers on (only with `literals`): every number of every dev gold query passes it; it changed no EX on the 161
 *   dev questions with a digit (run 7, models/policy/MODEL_CARD.md) and stops made-up numbers.
 * - syntax 'checker' for every strategy: every token keeps the chain a viable, scope-checked prefix (sqlcheck/), and
 *   a chain that reaches the token budget is closed (greedy on all of dev: 63.8% → 99.4% of final queries execute,
 *   EX 18.6% → 20.1%, at 0.89–0.97× the decode speed without it); 'off' leaves it out (to measure against).
 * - stepRetries 0: resampling failing steps (`--step-retries 2`) kept greedy EX at 7.2% (10/139, run 4) and raised
 *   only the executable share (26.6% → 30.9%), at 1.73 s per question instead of 1.21.
 * - executionFeedback off: feeding each step's execution summary back hurt (greedy 2.9% against 4.3%, run 3 subset).
 * - tokenBeam 1: a token beam of 4 made 60.4% of final queries execute instead of 45.3% but EX stayed 9.4% (13/139,
 *   run 5) at twice the time per question.
 * - greedyFirst on: the N candidates always hold what greedy answers; the README's vote@8 (20.7%) was measured so.
 * - sampleTokenRatio 2: sampled chains that ramble made best-of-N slow and are almost never right.
 * - temperature 1 for sampled candidates: every N-candidate figure in the README samples at T=1.
 * - n 8, agg weighted, beamWidth 2, maxDepth 8: the configuration of the README's vote@8, BoN@8 and beam rows.
 * - fallbackTries 0, fallbackEmpty off: the execution-guided fallback (fallback.ts) backed up twice on all of dev
 *   with the checker (`--fallback 3`: EX 20.1% either way); counting empty results as failures too gave 23/139 against
 *   22/139 on every 7th question at three times the time per question.
 * - linking 'meaning': the prompt links the schema by name, meaning (WordNet) and database value, and keeps the
 *   tables that name a kept table's rows (schemaLink.ts); on reworded dev questions it keeps every gold table for 98%
 *   of them against 76% by name alone (`npm run link:recall`). `--link names` is the linking of policy runs 1–9.
 */
import { IdentifierConstraint } from './constrain';
import { DEFAULT_MAX_NEW_TOKENS } from './decode';
import type { AnswerOptions, Linking } from './policy';
import { DEFAULT_SAMPLE_TOKEN_RATIO, type SearchOptions, type Strategy } from './search';
import type { Aggregator } from './stepWeights';
import { prefixRule, PrefixChecker } from './sqlcheck/checker';
import { literalRule, QuestionValues } from './rules/literalRule';
import { numberRule, questionNumbers } from './rules/numberRule';
import { TokenRuleList, type TokenRule } from './tokenRules';
import type { SchemaInfo } from './types';

/** The fields of a transformers.js-layout generation_config.json that are read (all optional). */
export interface GenerationConfig {
  max_new_tokens?: number;
  /** Sampling temperature (used for the sampled candidates). */
  temperature?: number;
  /** Not read: the strategy decides which chains are sampled. */
  do_sample?: boolean;
  /** Not read: the tokenizer's end token ends a chain. */
  eos_token_id?: number | number[];
}

export type SyntaxCheck = 'checker' | 'off';

/** Every setting that decides an answer. */
export interface AnswerSettings {
  strategy: Strategy;
  /** Candidates (vote, bon) or the decode budget per beam level (beam). */
  n: number;
  /** PRM aggregate (bon, beam). */
  agg: Aggregator;
  /** Partial chains kept per level (beam). */
  beamWidth: number;
  /** Greedy: token-level beam width (1 = argmax decoding). */
  tokenBeam: number;
  /** Longest chain the beam search builds, in steps. */
  maxDepth: number;
  /** Sampling temperature of the sampled candidates (greedy chains decode at 0). */
  temperature: number;
  maxNewTokens: number;
  /** How many times a step that fails to execute is written again. */
  stepRetries: number;
  /** Vote and bon: a sampled candidate writes at most this many times the greedy chain's tokens (0: no cap). */
  sampleTokenRatio: number;
  /** Vote and bon: the first candidate is the greedy chain. */
  greedyFirst: boolean;
  /** Names restricted to the schema (and what is in scope). */
  constrained: boolean;
  /** String literals restricted to the question's values and the schema's example values (needs `constrained`). */
  literals: boolean;
  /** Numbers outside quotes restricted to the question's numbers (needs `literals`). */
  numbers: boolean;
  /** Every token must keep the chain a viable, scope-checked SQL prefix (sqlcheck/), or off (needs `constrained`). */
  syntax: SyntaxCheck;
  /** Execution-guided fallback tries per step. */
  fallbackTries: number;
  /** The fallback also takes a final query with no rows for a failure. */
  fallbackEmpty: boolean;
  /** Each finished step's execution summary is fed back to the policy. */
  executionFeedback: boolean;
  /** How the prompt's schema is linked to the question (policy.ts `Linking`). */
  linking: Linking;
}

/** The defaults that do not depend on the strategy or the model (see the list above). */
const DEFAULTS: Omit<AnswerSettings, 'strategy' | 'syntax' | 'maxNewTokens' | 'temperature'> = {
  n: 8,
  agg: 'weighted',
  beamWidth: 2,
  tokenBeam: 1,
  maxDepth: 8,
  stepRetries: 0,
  linking: 'meaning',
  sampleTokenRatio: DEFAULT_SAMPLE_TOKEN_RATIO,
  greedyFirst: true,
  constrained: true,
  literals: true,
  numbers: true,
  fallbackTries: 0,
  fallbackEmpty: false,
  executionFeedback: false,
};
const DEFAULT_TEMPERATURE = 1;

/**
 * The settings of `strategy`: the defaults, the model's generation config where it has the value, then `overrides`
 * (undefined fields and `strategy` are ignored). A rule whose base rule is off is off (`literals` without
 * `constrained`, …).
 */
export function answerSettings(strategy: Strategy, generation: GenerationConfig | null, overrides: Partial<AnswerSettings> = {}): AnswerSettings {
  const given = Object.fromEntries(Object.entries(overrides).filter(([k, v]) => v !== undefined && k !== 'strategy')) as Partial<AnswerSettings>;
  const positive = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0;
  const s: AnswerSettings = {
    strategy,
    ...DEFAULTS,
    syntax: 'checker',
    maxNewTokens: positive(generation?.max_new_tokens) ? Math.round(generation.max_new_tokens) : DEFAULT_MAX_NEW_TOKENS,
    temperature: positive(generation?.temperature) ? generation.temperature : DEFAULT_TEMPERATURE,
    ...given,
  };
  s.literals &&= s.constrained;
  s.numbers &&= s.literals;
  if (!s.constrained) s.syntax = 'off';
  return s;
}

/**
 * What decoding asks of a constraint: mask the forbidden tokens' logits (false at a dead end), and, with the prefix
 * checker, the shortest valid close of a chain (see DecodeOptions.close).
 */
export interface AnswerConstraint {
  apply(text: string, logits: Float32Array): boolean;
  close?(text: string): string | null;
}

/**
 * The constraints of one vocabulary under one set of settings. The schema part (the name tables, the prefix checker
 * with its parser states, the example values) is built once per database and kept while questions on that database
 * follow; each question adds its literal and number rules on top, which is cheap.
 */
export class ConstraintBuilder {
  private last: { key: unknown; names: IdentifierConstraint; checker: PrefixChecker; examples: string[] } | null = null;

  constructor(
    private readonly vocabTexts: string[],
    private readonly settings: AnswerSettings,
  ) {}

  /**
   * The constraint for `question` on `schema`, null when unconstrained; `key` names the database (default: the schema
   * object). Soft tiers: the name rules with every check and the question's literal and number rules, then the name
   * rules alone (schema and slot only); hard: the prefix checker.
   */
  forQuestion(schema: SchemaInfo, question: string, key: unknown = schema): AnswerConstraint | null {
    const s = this.settings;
    if (!s.constrained) return null;
    if (!this.last || this.last.key !== key) {
      const names = new IdentifierConstraint(schema, this.vocabTexts);
      this.last = { key, names, checker: new PrefixChecker(schema), examples: QuestionValues.examplesOf(schema) };
    }
    const { names, checker, examples } = this.last;
    const strict: TokenRule[] = [names.rule(true)];
    if (s.literals) strict.push(literalRule(checker, new QuestionValues(question, examples)));
    if (s.numbers) strict.push(numberRule(checker, questionNumbers(question)));
    const hard = s.syntax === 'checker' ? [prefixRule(checker)] : [];
    const rules = new TokenRuleList(this.vocabTexts, [strict, [names.rule(false)]], hard);
    return { apply: (text, logits) => rules.apply(text, logits), ...(s.syntax === 'checker' ? { close: (text: string) => checker.closing(text) } : {}) };
  }
}

/** The constraint for one question (null when unconstrained); for many questions use a `ConstraintBuilder`. */
export function buildConstraint(schema: SchemaInfo, vocabTexts: string[], settings: AnswerSettings, question: string): AnswerConstraint | null {
  return new ConstraintBuilder(vocabTexts, settings).forQuestion(schema, question);
}

/** The options of one chain decoded on its own (`answer`, `decode`): argmax for greedy, else sampled at `temperature`. */
export type ChainOptions = Required<Pick<AnswerOptions, 'temperature' | 'maxNewTokens' | 'stepRetries' | 'executionFeedback' | 'fallbackTries' | 'fallbackEmpty' | 'linking'>> & Pick<AnswerOptions, 'constrain' | 'close'>;

export function chainOptions(s: AnswerSettings, constraint: AnswerConstraint | null): ChainOptions {
  return {
    temperature: s.strategy === 'greedy' ? 0 : s.temperature,
    maxNewTokens: s.maxNewTokens,
    stepRetries: s.stepRetries,
    executionFeedback: s.executionFeedback,
    fallbackTries: s.fallbackTries,
    fallbackEmpty: s.fallbackEmpty,
    linking: s.linking,
    ...(constraint ? { constrain: (text: string, logits: Float32Array) => constraint.apply(text, logits) } : {}),
    ...(constraint?.close ? { close: (text: string) => constraint.close!(text) } : {}),
  };
}

/** What `search()` takes from the settings; callers add only runtime fields (signal, seed, prm, callbacks). */
export type DecodeSettings = ChainOptions & Required<Pick<SearchOptions, 'strategy' | 'n' | 'agg' | 'beamWidth' | 'tokenBeam' | 'maxDepth' | 'greedyFirst' | 'sampleTokenRatio'>>;

export function decodeOptions(s: AnswerSettings, constraint: AnswerConstraint | null): DecodeSettings {
  const { strategy, n, agg, beamWidth, tokenBeam, maxDepth, greedyFirst, sampleTokenRatio } = s;
  return { strategy, n, agg, beamWidth, tokenBeam, maxDepth, greedyFirst, sampleTokenRatio, ...chainOptions(s, constraint) };
}
