/**
 * Execution-guided fallback (in the spirit of Wang et al. 2018's execution-guided decoding): when a finished step
 * fails to execute, decoding backs up inside that step to its most uncertain decision (the token whose lead over the
 * next allowed token was smallest) and takes the next-best allowed token instead, a bounded number of times. This
 * file keeps, per generated token, the allowed alternatives and their probabilities, and picks where to back up to.
 */
import { topIndices } from './decode';

/** The allowed tokens at one position, most likely first, with their probabilities. */
interface Choices {
  ids: number[];
  probs: number[];
}

/** How many alternatives are kept per position. */
const KEEP = 4;

export class FallbackLog {
  private readonly choices: (Choices | null)[] = [];
  /** Prefixes (text before a position + the token taken there) already tried, so a back-up never repeats itself. */
  private readonly tried = new Set<string>();

  /** Records the allowed tokens at position `pos` from the (masked) logits and their probabilities. */
  record(pos: number, logits: Float32Array, probs: Float64Array): void {
    const ids = topIndices(logits, KEEP).filter((i) => logits[i]! > -Infinity);
    this.choices.length = pos;
    this.choices[pos] = { ids, probs: ids.map((i) => probs[i]!) };
  }

  /** Forgets positions from `pos` on (decoding went back there). */
  truncate(pos: number): void {
    this.choices.length = Math.min(this.choices.length, pos);
  }

  /**
   * The position in [from, to) to back up to and the token to take there: the smallest margin between the token
   * taken and an untried allowed alternative; null when every alternative was tried. `prefix(pos)` is the text before
   * position `pos` and `taken(pos)` the token taken there.
   */
  pick(from: number, to: number, prefix: (pos: number) => string, taken: (pos: number) => number): { pos: number; id: number } | null {
    let best: { pos: number; id: number; margin: number } | null = null;
    for (let pos = from; pos < to; pos++) {
      const c = this.choices[pos];
      if (!c || c.ids.length < 2) continue;
      const k = c.ids.indexOf(taken(pos));
      const p = k >= 0 ? c.probs[k]! : c.probs[0]!;
      const before = prefix(pos);
      for (let j = 0; j < c.ids.length; j++) {
        const id = c.ids[j]!;
        if (id === taken(pos) || this.tried.has(`${before}\u0000${id}`)) continue;
        const margin = p - c.probs[j]!;
        if (!best || margin < best.margin) best = { pos, id, margin };
        break; // the next-best untried one at this position
      }
    }
    if (!best) return null;
    this.tried.add(`${prefix(best.pos)}\u0000${taken(best.pos)}`);
    this.tried.add(`${prefix(best.pos)}\u0000${best.id}`);
    return { pos: best.pos, id: best.id };
  }
}
