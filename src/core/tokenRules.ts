/**
 * Constrained decoding as a list of token rules, one concern each, combined by one orchestrator (in the manner of
 * transformers.js's LogitsProcessorList). A rule says, for the text written so far, which next tokens it allows.
 *  - Hard rules are never relaxed: with the prefix checker (sqlcheck/) as one, no chain is ever a syntax or scope
 *    dead end.
 *  - Soft rules come in tiers, strictest first: when no token passes a tier's rules and the hard rules, the next
 *    tier is tried, and the last tier has no soft rule at all.
 * The most likely tokens are judged first (top K); among those that pass every soft rule of the tier, the first
 * `keep` that pass the hard rules stay, and every other token is masked.
 */
import { topIndices } from './decode';

export interface TokenRule {
  /** Which tokens (by their text; '' is the end token) may follow `text`; null: this rule does not restrict here. */
  test(text: string): ((tokenText: string) => boolean) | null;
}

export interface RuleListOptions {
  /** Tokens judged first (the most likely); the rest are judged only when none of these passes. */
  topK?: number;
  /** Tokens kept once a tier's rules are met (the sampling support). */
  keep?: number;
  /** How far down the likely tokens passing a tier's soft rules the hard rules look before the tier gives up. */
  hardDepth?: number;
}

export class TokenRuleList {
  private readonly topK: number;
  private readonly keep: number;
  private readonly hardDepth: number;

  constructor(
    private readonly tokenTexts: readonly string[],
    private readonly tiers: readonly (readonly TokenRule[])[],
    private readonly hard: readonly TokenRule[],
    opts: RuleListOptions = {},
  ) {
    this.topK = opts.topK ?? 40;
    this.keep = opts.keep ?? 8;
    this.hardDepth = opts.hardDepth ?? 256;
  }

  /**
   * Masks the logits of every token the rules do not allow. Returns false only when no token at all passes the hard
   * rules (a dead end); with no hard rule, when no token passes a tier, nothing is masked.
   */
  apply(text: string, logits: Float32Array): boolean {
    const top = topIndices(logits, this.topK);
    const hardTests = this.hard.map((r) => r.test(text)).filter((t): t is (s: string) => boolean => t !== null);
    const hardOk = (id: number) => hardTests.every((t) => t(this.tokenTexts[id] ?? ''));
    const tiers = hardTests.length > 0 ? [...this.tiers, []] : this.tiers;
    let fallback: number[] | null = null;
    for (const tier of tiers) {
      const tests = tier.map((r) => r.test(text)).filter((t): t is (s: string) => boolean => t !== null);
      const softOk = (id: number) => tests.every((t) => t(this.tokenTexts[id] ?? ''));
      let all: number[] | null = null; // every token passing the soft rules, most likely first (at most one full scan)
      const everyOk = () => (all ??= byLogit([...logits.keys()].filter(softOk), logits));
      let cands = top.filter(softOk);
      if (cands.length === 0) cands = everyOk();
      if (cands.length === 0) continue;
      if (hardTests.length === 0) {
        fallback = cands;
        break;
      }
      let kept = this.firstPassing(cands, hardOk);
      // The last tier has no soft rule: look through every token, since a hard dead end cannot be written out of.
      if (kept.length === 0) kept = this.firstPassing(tier.length === 0 ? everyOk() : everyOk().slice(0, this.hardDepth), hardOk);
      if (kept.length > 0) {
        fallback = kept;
        break;
      }
    }
    if (!fallback) return hardTests.length === 0;
    const kept = new Set(fallback);
    for (let i = 0; i < logits.length; i++) if (!kept.has(i)) logits[i] = -Infinity;
    return true;
  }

  private firstPassing(ids: number[], ok: (id: number) => boolean): number[] {
    const out: number[] = [];
    for (const id of ids) {
      if (ok(id)) out.push(id);
      if (out.length >= this.keep) break;
    }
    return out;
  }
}

function byLogit(ids: number[], logits: Float32Array): number[] {
  return ids.sort((a, b) => logits[b]! - logits[a]!);
}
