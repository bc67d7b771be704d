/**
 * Recycled Float32Array buffers for a decoder's KV cache kept in JavaScript (ortCausalLM.ts, `present_step.*`).
 *
 * Each token the cache grows by one position, so without a pool every token allocates the whole cache afresh
 * (16 tensors of about 256 KB at 250 tokens for the embedded policy). Chromium hands out a large ArrayBuffer as fresh
 * zeroed pages and pays a page fault on first touch of each, far more than the same copy into memory that was used
 * before (docs/experiments.md, "Where the browser lost"; `npm run bench -- --rounds 6` compares with the old path).
 *
 * A request takes the smallest free buffer that holds it (best fit), and a new buffer is allocated only when none
 * does, rounded up to a multiple of `step` positions. Best fit, rather than one free list per size, matters for
 * best-of-N: every candidate grows its cache from the prompt's length again, and with exact size classes the pool had
 * to keep a set of buffers for every length any candidate reached, went over its cap and dropped them, so three
 * tokens in four allocated fresh pages on the bench's long questions. With best fit a candidate reuses the buffers
 * the last one left, whatever their size.
 */
export class KvBufferPool {
  /** Free buffers, shortest first. */
  private readonly free: Float32Array[] = [];
  /** Floats held in `free`, kept under `maxPooledFloats` so a long session does not hoard memory. */
  private pooled = 0;
  /** The pool's buffer behind each view it handed out, to take it back on release. */
  private readonly owner = new WeakMap<Float32Array, Float32Array>();

  /** `rowFloats`: floats per position in one buffer (heads × head dim); at most `maxPooledFloats` kept free (64 MB). */
  constructor(
    private readonly rowFloats: number,
    private readonly step = 32,
    private readonly maxPooledFloats = 16 * 1024 * 1024,
  ) {}

  /** A view of exactly `positions` rows (contents undefined: the caller writes all of it). */
  take(positions: number): Float32Array {
    const floats = positions * this.rowFloats;
    const i = this.firstHolding(floats);
    let buffer: Float32Array;
    if (i < this.free.length) {
      buffer = this.free.splice(i, 1)[0]!;
      this.pooled -= buffer.length;
    } else {
      buffer = new Float32Array(Math.max(this.step, Math.ceil(positions / this.step) * this.step) * this.rowFloats);
    }
    const view = buffer.subarray(0, floats);
    this.owner.set(view, buffer);
    return view;
  }

  /** Gives a view from `take` back; anything else is ignored. The view must not be read afterwards. */
  give(view: Float32Array): void {
    const buffer = this.owner.get(view);
    if (!buffer) return;
    this.owner.delete(view);
    this.free.splice(this.firstHolding(buffer.length), 0, buffer);
    this.pooled += buffer.length;
    // Over the cap, the shortest buffers go first: a longer one serves any request a shorter one would.
    while (this.pooled > this.maxPooledFloats) this.pooled -= this.free.shift()!.length;
  }

  /** Index of the first free buffer with at least `floats` floats (`free.length` when none). */
  private firstHolding(floats: number): number {
    let lo = 0;
    let hi = this.free.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.free[mid]!.length < floats) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
