/**
 * Recycled Float32Array buffers for a decoder's KV cache kept in JavaScript (ortCausalLM.ts, `present_step.*`).
 *
 * Each token the cache grows by one position, so without a pool every token allocates the whole cache afresh
 * (16 tensors of about 256 KB at 250 tokens for the embedded policy). Chromium hands out a large ArrayBuffer as fresh
 * zeroed pages and pays a page fault on first touch of each, far more than the same copy into memory that was used
 * before (README, "Where the browser lost"; `npm run bench -- --rounds 6` compares with the old path).
 * Buffers come in capacity classes of `step` positions, so a released buffer serves the next tokens until the
 * cache outgrows its class.
 */
export class KvBufferPool {
  private readonly free = new Map<number, Float32Array[]>();
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
    const capacity = Math.max(this.step, Math.ceil(positions / this.step) * this.step);
    const reused = this.free.get(capacity)?.pop();
    if (reused) this.pooled -= reused.length;
    const buffer = reused ?? new Float32Array(capacity * this.rowFloats);
    const view = buffer.subarray(0, positions * this.rowFloats);
    this.owner.set(view, buffer);
    return view;
  }

  /** Gives a view from `take` back; anything else is ignored. The view must not be read afterwards. */
  give(view: Float32Array): void {
    const buffer = this.owner.get(view);
    if (!buffer) return;
    this.owner.delete(view);
    const capacity = buffer.length / this.rowFloats;
    if (this.pooled + buffer.length > this.maxPooledFloats) return;
    const list = this.free.get(capacity) ?? [];
    list.push(buffer);
    this.pooled += buffer.length;
    this.free.set(capacity, list);
  }
}
