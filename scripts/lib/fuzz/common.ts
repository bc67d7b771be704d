/**
 * What every fuzz family shares: the seeded random source, the per-family tally of crashes, hangs, writes and unclear
 * messages (with a few examples of each), and the rule that decides whether a message shown to a user is clear.
 */
import { createHash } from 'node:crypto';
import { mulberry32 } from '../../../src/core/decode';
import { dispatchSql } from '../../../src/workers/sqlDispatch';
import type { SqlJsEngine } from '../../../src/workers/sqljsEngine';
import type { SqlReply, SqlRequest } from '../../../src/workers/sqlProtocol';

/** A call into the core that takes longer than this is a hang. */
export const HANG_MS = 1000;
/** Examples kept per finding kind in bench/fuzz.json (the counts are always complete). */
const EXAMPLES_PER_KIND = 12;
/** Inputs are cut to this many characters in bench/fuzz.json. */
const SHOWN_CHARS = 300;

/** A deterministic random source (mulberry32) with the helpers the generators use. */
export class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** A float in [0, 1). */
  float(): number {
    return this.next();
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

/**
 * The rule for an unclear error: a message the studio would show a user (an error reply of the engine worker, a
 * query outcome's error, a decomposer error) that is internal text rather than a statement about the user's input.
 * A message is unclear when it
 *  - is empty, or is the text of a value rather than a message (`undefined`, `null`, `[object Object]`);
 *  - holds a stack trace (a line `    at f (file:12:3)`, or a `file.js:12:3` position);
 *  - names a JavaScript error class or a runtime fault: TypeError, ReferenceError, RangeError, SyntaxError (the JS
 *    class, not SQLite's lower-case "syntax error"), InternalError, RuntimeError, "Maximum call stack size exceeded",
 *    "is not a function", "Cannot read properties of", "undefined is not", "memory access out of bounds",
 *    "unreachable", "Aborted(" (a WebAssembly engine that crashed);
 *  - is longer than 4,000 characters (a dump, not a message).
 * SQLite's own messages (`no such table: x`, `near "FROM": syntax error`) and the studio's sentences are clear.
 * Returns why a message is unclear, or null when it is clear.
 */
export function unclearReason(message: unknown): string | null {
  if (typeof message !== 'string') return `not a string (${typeof message})`;
  const m = message.trim();
  if (m === '') return 'empty';
  if (/^(undefined|null|\[object \w+\])$/.test(m) || m.includes('[object Object]')) return 'a value, not a message';
  if (/\n\s+at\s/.test(message) || /\bat\s+\S+\s+\(.*:\d+:\d+\)/.test(message) || /\.(?:m?js|ts|wasm):\d+(?::\d+)?\b/.test(message))
    return 'stack trace';
  const internal =
    /\b(?:TypeError|ReferenceError|RangeError|SyntaxError|InternalError|RuntimeError|EvalError|URIError)\b|Maximum call stack size exceeded|is not a function|Cannot read propert(?:y|ies) of|undefined is not|memory access out of bounds|\bunreachable\b|Aborted\(/.exec(
      message,
    );
  if (internal) return `internal error text (${internal[0]})`;
  if (m.length > 4000) return `${m.length} characters`;
  return null;
}

export interface Finding {
  kind: string;
  where: string;
  input: string;
  detail: string;
}

/** The tally of one fuzz family. */
export class FamilyReport {
  inputs = 0;
  crashes = 0;
  hangs = 0;
  writes = 0;
  unclear = 0;
  /** Family-specific counts (outcomes, reasons). */
  readonly stats: Record<string, number> = {};
  private readonly byKind = new Map<string, Finding[]>();
  private readonly t0 = performance.now();
  private seconds: number | null = null;

  constructor(readonly name: string) {}

  count(stat: string, by = 1): void {
    this.stats[stat] = (this.stats[stat] ?? 0) + by;
  }

  /** Keeps an example of a finding (at most EXAMPLES_PER_KIND per kind); `kind` is also counted in stats. */
  note(kind: string, where: string, input: string, detail: string): void {
    this.count(kind);
    const list = this.byKind.get(kind) ?? [];
    if (list.length < EXAMPLES_PER_KIND) list.push({ kind, where, input: shown(input), detail: shown(detail, 600) });
    this.byKind.set(kind, list);
  }

  crash(where: string, input: string, e: unknown): void {
    this.crashes++;
    const err = e instanceof Error ? `${e.name}: ${e.message}\n${(e.stack ?? '').split('\n').slice(1, 4).join('\n')}` : String(e);
    this.note('crash', where, input, err);
  }

  hang(where: string, input: string, ms: number): void {
    this.hangs++;
    this.note('hang', where, input, `${Math.round(ms)} ms`);
  }

  write(where: string, input: string, detail: string): void {
    this.writes++;
    this.note('write', where, input, detail);
  }

  /** Checks a message a user would see; counts and keeps it when unclear. Returns whether it was clear. */
  message(where: string, input: string, msg: unknown): boolean {
    const why = unclearReason(msg);
    if (why === null) return true;
    this.unclear++;
    this.note('unclear', where, input, `${why}: ${String(msg)}`);
    return false;
  }

  /**
   * Runs one call into the core: an exception is a crash (unless `expected` says it is a refusal the caller
   * handles), a call over HANG_MS a hang. Returns the value, or `{ error }` for an exception.
   */
  run<T>(where: string, input: string, fn: () => T, expected?: (e: unknown) => boolean): { value: T } | { error: unknown } {
    const t0 = performance.now();
    try {
      return { value: fn() };
    } catch (e) {
      if (!expected?.(e)) this.crash(where, input, e);
      return { error: e };
    } finally {
      const ms = performance.now() - t0;
      if (ms > HANG_MS) this.hang(where, input, ms);
    }
  }

  /** `run` for an async call. */
  async runAsync<T>(where: string, input: string, fn: () => Promise<T>): Promise<{ value: T } | { error: unknown }> {
    const t0 = performance.now();
    try {
      return { value: await fn() };
    } catch (e) {
      this.crash(where, input, e);
      return { error: e };
    } finally {
      const ms = performance.now() - t0;
      if (ms > HANG_MS) this.hang(where, input, ms);
    }
  }

  /** Ends the family's clock (its seconds in the report). */
  finish(): this {
    this.seconds ??= Number(((performance.now() - this.t0) / 1000).toFixed(1));
    return this;
  }

  toJSON(): object {
    return {
      inputs: this.inputs,
      crashes: this.crashes,
      hangs: this.hangs,
      writes: this.writes,
      unclear: this.unclear,
      seconds: this.finish().seconds,
      stats: Object.fromEntries(Object.entries(this.stats).sort(([a], [b]) => a.localeCompare(b))),
      examples: Object.fromEntries(this.byKind),
    };
  }
}

/** Text cut for the report. */
export function shown(s: string, max = SHOWN_CHARS): string {
  return s.length <= max ? s : `${s.slice(0, max)}… (${s.length} characters)`;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** What a family needs to know about the run: its seed and scale (1 = the default counts). */
export interface FuzzOptions {
  seed: number;
  scale: number;
  /** Spider's folder (dev.json, train_spider.json, database/), used when present. */
  spider: string;
}

/** `base` scaled, at least `min`. */
export function scaled(base: number, opts: FuzzOptions, min = 1): number {
  return Math.max(min, Math.round(base * opts.scale));
}

/** One request to the worker dispatcher, without its id. */
export type SqlRequestBody = SqlRequest extends infer R ? (R extends SqlRequest ? Omit<R, 'id'> : never) : never;

/** Requests to `engine` through the worker dispatcher (sqlDispatch.ts), as the engine worker answers them. */
export function dispatcher(engine: SqlJsEngine): (req: SqlRequestBody) => SqlReply {
  let id = 1;
  return (req) => dispatchSql(engine, { ...req, id: id++ } as SqlRequest);
}

export interface Totals {
  inputs: number;
  crashes: number;
  hangs: number;
  writes: number;
  unclear: number;
}

/** The suite's last line. */
export function summaryLine(t: Totals): string {
  return `fuzz: ${t.inputs} inputs, ${t.crashes} crashes, ${t.hangs} hangs, ${t.writes} writes, ${t.unclear} unclear errors`;
}
