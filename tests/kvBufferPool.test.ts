import { describe, expect, it } from 'vitest';
import { KvBufferPool } from '../src/workers/kvBufferPool';

describe('KV buffer pool', () => {
  it('hands out views of exactly the asked size and reuses a released buffer of the same capacity class', () => {
    const pool = new KvBufferPool(4, 8);
    const a = pool.take(5);
    expect(a.length).toBe(20);
    expect(a.buffer.byteLength).toBe(8 * 4 * 4);
    a.fill(7);
    pool.give(a);
    const b = pool.take(8);
    expect(b.buffer).toBe(a.buffer);
    expect(b.length).toBe(32);
    // The next class up is a different buffer; a live view is never handed out twice.
    const c = pool.take(9);
    expect(c.buffer.byteLength).toBe(16 * 4 * 4);
    const d = pool.take(8);
    expect(d.buffer).not.toBe(b.buffer);
  });

  it('keeps no more free floats than its cap', () => {
    const pool = new KvBufferPool(1, 4, 8);
    const [a, b, c] = [pool.take(4), pool.take(4), pool.take(4)];
    pool.give(a);
    pool.give(b);
    pool.give(c); // over the cap of 8 floats: dropped
    const [x, y, z] = [pool.take(4), pool.take(4), pool.take(4)];
    expect(new Set([x.buffer, y.buffer]).size).toBe(2);
    expect([a.buffer, b.buffer]).toContain(x.buffer);
    expect(z.buffer).not.toBe(c.buffer);
  });

  it('ignores views it did not hand out and a second give of the same view', () => {
    const pool = new KvBufferPool(2, 4);
    pool.give(new Float32Array(8));
    const a = pool.take(4);
    pool.give(a);
    pool.give(a);
    const [x, y] = [pool.take(4), pool.take(4)];
    expect(x.buffer).not.toBe(y.buffer);
  });
});

describe('KV buffer pool under best-of-N', () => {
  it('serves a candidate that grows from the prompt again with the buffers the last one left (best fit)', () => {
    const pool = new KvBufferPool(16, 32, 1 << 30);
    const buffers = new Set<ArrayBufferLike>();
    // A candidate's cache: one position more per token, the previous one given back (as decode does).
    const grow = (from: number, to: number) => {
      let live = pool.take(from);
      for (let p = from + 1; p <= to; p++) {
        const next = pool.take(p);
        buffers.add(next.buffer);
        pool.give(live);
        live = next;
      }
      pool.give(live);
    };
    grow(300, 700);
    const afterFirst = buffers.size;
    grow(300, 650);
    grow(310, 700);
    expect(buffers.size).toBe(afterFirst);
  });

  it('drops the shortest free buffers first when over its cap', () => {
    const pool = new KvBufferPool(1, 4, 20);
    const [short, mid, long] = [pool.take(4), pool.take(8), pool.take(16)];
    pool.give(short);
    pool.give(long); // 4 + 16 floats free, at the cap
    pool.give(mid); // over the cap: the 4-float buffer goes, then the 8-float one
    expect(pool.take(2).buffer).toBe(long.buffer);
    expect([short.buffer, mid.buffer]).not.toContain(pool.take(2).buffer);
  });
});
