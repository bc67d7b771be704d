/** Spider-format data access for Node scripts: examples, database paths, cached sql.js engines. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import initSqlJs, { type SqlJsStatic } from 'sql.js';
import { mulberry32 } from '../../src/core/decode';
import { SqlJsEngine } from '../../src/workers/sqljsEngine';
import type { SchemaInfo } from '../../src/core/types';

export interface SpiderExample {
  db_id: string;
  question: string;
  query: string;
}

export function readExamples(file: string): SpiderExample[] {
  return (JSON.parse(readFileSync(file, 'utf8')) as SpiderExample[]).map((e) => ({ db_id: e.db_id, question: e.question, query: e.query }));
}

export function dbPath(dbDir: string, dbId: string): string {
  return join(dbDir, dbId, `${dbId}.sqlite`);
}

let sqlPromise: Promise<SqlJsStatic> | null = null;
export function sqlJs(): Promise<SqlJsStatic> {
  return (sqlPromise ??= initSqlJs());
}

/** Keeps one open engine (and its schema) per database; reopening is what costs. */
export class EnginePool {
  private engines = new Map<string, { engine: SqlJsEngine; schema: SchemaInfo } | null>();
  constructor(private readonly SQL: SqlJsStatic, private readonly dbDir: string) {}

  get(dbId: string): { engine: SqlJsEngine; schema: SchemaInfo } | null {
    if (this.engines.has(dbId)) return this.engines.get(dbId)!;
    const path = dbPath(this.dbDir, dbId);
    let entry: { engine: SqlJsEngine; schema: SchemaInfo } | null = null;
    if (existsSync(path)) {
      const engine = new SqlJsEngine(this.SQL);
      engine.open(new Uint8Array(readFileSync(path)));
      entry = { engine, schema: engine.schema() };
    }
    this.engines.set(dbId, entry);
    return entry;
  }
}

/** `--name value` command-line flags. */
export function flags(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        out.set(a.slice(2), next);
        i++;
      } else out.set(a.slice(2), 'true');
    }
  }
  return out;
}

/** The examples reordered a database at a time: the first of each database, then the second of each, … */
export function interleaveByDb<T extends { db_id: string }>(xs: T[]): T[] {
  const by = new Map<string, T[]>();
  for (const x of xs) by.set(x.db_id, [...(by.get(x.db_id) ?? []), x]);
  const lists = [...by.values()];
  const out: T[] = [];
  for (let i = 0; out.length < xs.length; i++) for (const l of lists) if (l[i]) out.push(l[i]!);
  return out;
}

/** A deterministic PRNG per key (mulberry32 over a string hash), so generated data is the same on every run. */
export function seeded(key: string): () => number {
  let a = 0;
  for (let i = 0; i < key.length; i++) a = (Math.imul(a ^ key.charCodeAt(i), 2654435761) + 1) >>> 0;
  return mulberry32(a);
}

/**
 * The training databases whose questions the policy never trains on (models/train/train.py holds out 3% of the
 * databases, seed 0: these four): the held-out split that policy validation loss, `rl`'s greedy checks and the
 * README's "held-out databases" figures use.
 */
export const VALIDATION_DBS: readonly string[] = ['cre_Drama_Workshop_Groups', 'culture_company', 'driving_school', 'entertainment_awards'];
