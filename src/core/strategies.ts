/** The search strategies the studio offers (src/core/search.ts runs them). */
export const STRATEGIES = ['greedy', 'vote', 'bon', 'beam'] as const;
export type Strategy = (typeof STRATEGIES)[number];
