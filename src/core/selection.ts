/**
 * Choosing one chain among N sampled candidates (shared by the studio and `npm run eval`):
 *  - best-of-N: candidates whose final query fails to execute are dropped first (the execution filter), the rest are
 *    ranked by their PRM aggregate; ties go to the earlier sample;
 *  - majority vote over execution results: the result most candidates agree on wins (the baseline to beat);
 *  - PRM-weighted vote and LEVER's rule: votes weighted by the PRM, and by the PRM times the policy's probability
 *    (the studio's Best-of-N; see search.ts choose).
 */
import { resultKey } from './resultCompare';
import { aggregate, type Aggregator } from './stepWeights';
import type { QueryOutcome } from './types';

export interface ScoredCandidate {
  /** The final query's outcome. */
  outcome: QueryOutcome;
  /** Whether the gold query orders its result does not matter here: votes compare results as multisets. */
  stepScores: number[];
  stepEntropies: number[];
  /** The chain's sequence log-probability under the policy (DecodeResult.logProbs summed); used by `leverVote`. */
  logProb?: number;
}

export interface Choice {
  index: number;
  /** The score or vote count that decided. */
  value: number;
  /** One sentence for the studio: why this candidate. */
  reason: string;
}

export function bestOfN(cands: ScoredCandidate[], agg: Aggregator): Choice {
  let best = -1;
  let bestScore = -Infinity;
  cands.forEach((c, i) => {
    if (!c.outcome.ok) return;
    const s = aggregate(c.stepScores, agg, c.stepEntropies);
    if (s > bestScore) {
      best = i;
      bestScore = s;
    }
  });
  const executable = cands.filter((c) => c.outcome.ok).length;
  if (best < 0) return { index: 0, value: 0, reason: `none of the ${cands.length} candidates executes; showing the first` };
  return {
    index: best,
    value: bestScore,
    reason: `highest ${agg} PRM score (${bestScore.toFixed(3)}) of ${executable} executable candidate${executable === 1 ? '' : 's'} out of ${cands.length}`,
  };
}

/** Candidates that return the same result (its width and rows as a multiset) share this key. */
function resultGroup(outcome: QueryOutcome & { ok: true }): string {
  return `${outcome.result.columns.length}|${resultKey(outcome.result.rows, false)}`;
}

export function majorityVote(cands: ScoredCandidate[]): Choice {
  const groups = new Map<string, number[]>();
  cands.forEach((c, i) => {
    if (!c.outcome.ok) return;
    const k = resultGroup(c.outcome);
    groups.set(k, [...(groups.get(k) ?? []), i]);
  });
  let winner: number[] = [];
  for (const g of groups.values()) if (g.length > winner.length) winner = g;
  if (winner.length === 0) return { index: 0, value: 0, reason: `none of the ${cands.length} candidates executes; showing the first` };
  return { index: winner[0]!, value: winner.length, reason: `${winner.length} of ${cands.length} candidates return this result` };
}

/**
 * Majority vote weighted by the PRM: candidates are grouped by execution result as in `majorityVote`, each group
 * scores the sum of its candidates' PRM aggregates, and the best-scored candidate of the best group is chosen. It
 * keeps the vote's robustness (a result several chains reach is likely right) while letting the PRM break ties and
 * outvote a crowd of low-scored chains. With every score equal it is the plain vote.
 */
export function prmVote(cands: ScoredCandidate[], agg: Aggregator): Choice {
  return weightedVote(cands, (c) => aggregate(c.stepScores, agg, c.stepEntropies), `the highest summed ${agg} PRM score`);
}

/**
 * Candidates grouped by execution result; each group scores the sum of its members' weights, and the best-weighted
 * member of the best group is chosen (ties: the earlier candidate).
 */
function weightedVote(cands: ScoredCandidate[], weight: (c: ScoredCandidate) => number, what: string): Choice {
  const groups = new Map<string, { total: number; best: number; bestWeight: number; size: number }>();
  cands.forEach((c, i) => {
    if (!c.outcome.ok) return;
    const w = weight(c);
    const k = resultGroup(c.outcome);
    const g = groups.get(k);
    if (!g) groups.set(k, { total: w, best: i, bestWeight: w, size: 1 });
    else {
      g.total += w;
      g.size++;
      if (w > g.bestWeight) Object.assign(g, { best: i, bestWeight: w });
    }
  });
  let win: { total: number; best: number; size: number } | null = null;
  for (const g of groups.values()) if (!win || g.total > win.total) win = g;
  if (!win) return { index: 0, value: 0, reason: `none of the ${cands.length} candidates executes; showing the first` };
  return { index: win.best, value: win.total, reason: `${win.size} of ${cands.length} candidates return this result, with ${what} (${win.total.toFixed(3)})` };
}

/**
 * LEVER's rule (Ni et al., 2023): candidates are grouped by execution result, and each group scores the sum over its
 * members of the PRM aggregate times the policy's sequence probability, p(chain | question) · PRM(chain). The
 * probabilities are taken relative to the most probable candidate (a common factor, so the choice is the same) to
 * stay in floating-point range. The best-weighted member of the winning group is chosen. Without log-probabilities
 * every candidate weighs its PRM aggregate alone, as in `prmVote`.
 */
export function leverVote(cands: ScoredCandidate[], agg: Aggregator): Choice {
  const top = Math.max(...cands.filter((c) => c.outcome.ok).map((c) => c.logProb ?? 0));
  return weightedVote(cands, (c) => Math.exp((c.logProb ?? 0) - top) * aggregate(c.stepScores, agg, c.stepEntropies), `the highest summed policy probability times ${agg} PRM score`);
}

/**
 * Every selection rule over the same candidates, by name (what `npm run eval` and `npm run prm:select` report side by
 * side): `vote`; with step scores, the PRM alone per aggregator (`min`, `weighted`, …), the PRM-weighted vote
 * (`vote+<agg>`) and LEVER's rule (`lever+<agg>`); and the vote weighted by the policy's probability alone
 * (`vote+prob`, LEVER's rule with every PRM score 1). Values are candidate indices.
 */
export function selectionRules(cands: ScoredCandidate[], aggregators: readonly Aggregator[], withPrm: boolean): Record<string, number> {
  const rules: Record<string, number> = { vote: majorityVote(cands).index };
  if (withPrm)
    for (const a of aggregators) {
      rules[a] = bestOfN(cands, a).index;
      rules[`vote+${a}`] = prmVote(cands, a).index;
      rules[`lever+${a}`] = leverVote(cands, a).index;
    }
  rules['vote+prob'] = leverVote(cands.map((c) => ({ ...c, stepScores: [1], stepEntropies: [1] })), 'mean').index;
  return rules;
}
