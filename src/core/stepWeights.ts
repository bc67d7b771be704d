/**
 * From per-step PRM scores to one trajectory score.
 *
 * Entropy-based step weighting (our concrete version of Reward-SQL's "inverse entropy weight"; the paper's exact
 * formula is not published). For step j, H_j is the mean entropy (nats) of the policy's next-token distributions
 * over the step's tokens, recorded while decoding, so it costs no extra forward pass. The weight is
 *
 *     w_j = (1 / (H_j + ε)) / Σ_k (1 / (H_k + ε))          (ε = 0.1 nats)
 *
 * and the trajectory score is R = Σ_j w_j · s_j, with s_j the PRM's probability that step j is correct.
 * Why: a step the policy wrote with low entropy is one it "knew"; the PRM's verdict on it is the most informative
 * about whether the chain as a whole is what the policy meant, while a high-entropy step is where sampling noise
 * dominates and a single PRM score is least reliable. ε keeps a near-deterministic step from taking all the weight.
 * `min`, `mean`, `last` and `product` are the aggregations of the Reward-SQL evaluation code, kept for comparison.
 */

export const AGGREGATORS = ['min', 'mean', 'last', 'product', 'weighted'] as const;
export type Aggregator = (typeof AGGREGATORS)[number];

export const ENTROPY_EPSILON = 0.1;

/** Inverse-entropy weights, normalized to sum to 1 (uniform when there are no entropies). */
export function inverseEntropyWeights(entropies: number[], eps = ENTROPY_EPSILON): number[] {
  if (entropies.length === 0) return [];
  const inv = entropies.map((h) => 1 / (Math.max(0, Number.isFinite(h) ? h : 0) + eps));
  const sum = inv.reduce((a, b) => a + b, 0);
  return inv.map((x) => x / sum);
}

/** One score for a chain from its step scores (each in [0, 1]); `entropies` are needed for `weighted`. */
export function aggregate(scores: number[], agg: Aggregator, entropies: number[] = []): number {
  if (scores.length === 0) return 0;
  switch (agg) {
    case 'min':
      return Math.min(...scores);
    case 'mean':
      return scores.reduce((a, b) => a + b, 0) / scores.length;
    case 'last':
      return scores[scores.length - 1]!;
    case 'product':
      return scores.reduce((a, b) => a * b, 1);
    case 'weighted': {
      const w = inverseEntropyWeights(scores.map((_, i) => entropies[i] ?? 0));
      return scores.reduce((a, s, i) => a + w[i]! * s, 0);
    }
  }
}
