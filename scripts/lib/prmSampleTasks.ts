/**
 * The questions `npm run prm:samples` has the policy answer, chosen so that its mistakes look like its mistakes on
 * databases it has never seen (issue 20 §2):
 *  - `spider`: Spider's own training questions on their databases;
 *  - `renamed`: the same questions on a respelled copy of their database (renameSchema.ts `renameMap`: case, snake /
 *    camel case, plural, a prefix or suffix; the question's words still fit), so recalling memorized names fails;
 *  - `invented`: template questions (synthQuestions.ts) over a copy of a training database whose tables and columns
 *    get invented names (`inventedMap`): a schema the policy has never seen.
 * The held-out validation databases (VALIDATION_DBS), which `npm run prm:select` chooses PRM settings on, and Spider
 * dev are never used. Deterministic: every process of a `--jobs` run builds the same list.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SqlJsStatic } from 'sql.js';
import { SqlJsEngine } from '../../src/workers/sqljsEngine';
import type { SchemaInfo } from '../../src/core/types';
import { inventedMap, renamedDatabase, renameMap, renameSql } from './renameSchema';
import { dbPath, interleaveByDb, seeded, VALIDATION_DBS } from './spider';
import { SynthGenerator, synthDbOf } from './synthQuestions';

export type SampleSource = 'spider' | 'renamed' | 'invented';

export interface SampleTask {
  db_id: string;
  source: SampleSource;
  question: string;
  gold: string;
  /** The gold CoCTE chain when the data has one (Spider questions); template questions are decomposed. */
  target: string | null;
  /** Tasks with the same key share a database (copy). */
  dbKey: string;
  bytes: () => Uint8Array;
}

interface PolicyRow {
  db_id: string;
  question: string;
  gold: string;
  target: string;
  aug?: number;
  synthetic?: boolean;
}

export interface SampleTaskOptions {
  /** Spider questions, spread over the training databases. */
  limit: number;
  /** Share of them asked on a respelled copy of their database. */
  renamedShare: number;
  /** Template questions over invented-name copies, `perCopy` per copy. */
  invented: number;
  perCopy?: number;
}

export function sampleTasks(SQL: SqlJsStatic, spider: string, dataFile: string, o: SampleTaskOptions): SampleTask[] {
  const dbDir = join(spider, 'database');
  const fileBytes = new Map<string, Uint8Array>();
  const original = (db: string) => () => {
    if (!fileBytes.has(db)) fileBytes.set(db, new Uint8Array(readFileSync(dbPath(dbDir, db))));
    return fileBytes.get(db)!;
  };
  const schemaOf = (bytes: Uint8Array): SchemaInfo => {
    const e = new SqlJsEngine(SQL);
    e.open(bytes);
    const s = e.schema();
    e.close();
    return s;
  };
  const rows = readFileSync(dataFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as PolicyRow)
    .filter((r) => !r.aug && !r.synthetic && !VALIDATION_DBS.includes(r.db_id));
  const picked = interleaveByDb(rows).slice(0, o.limit).sort((a, b) => a.db_id.localeCompare(b.db_id));
  const rand = seeded('prm-samples:renamed');
  // One respelled copy per database, made when a task first needs it.
  const copies = new Map<string, { map: Map<string, string>; bytes: Uint8Array }>();
  const copyOf = (db: string) => {
    if (!copies.has(db)) {
      const bytes = original(db)();
      const schema = schemaOf(bytes);
      const map = renameMap(schema, seeded(`prm-samples:rename:${db}`));
      copies.set(db, { map, bytes: renamedDatabase(SQL, bytes, schema, map).bytes });
    }
    return copies.get(db)!;
  };
  const tasks: SampleTask[] = picked.map((r) => {
    if (rand() >= o.renamedShare) return { db_id: r.db_id, source: 'spider', question: r.question, gold: r.gold, target: r.target, dbKey: r.db_id, bytes: original(r.db_id) };
    const { map } = copyOf(r.db_id);
    return { db_id: r.db_id, source: 'renamed', question: r.question, gold: renameSql(r.gold, map), target: renameSql(r.target, map), dbKey: `${r.db_id}:renamed`, bytes: () => copyOf(r.db_id).bytes };
  });
  const trainDbs = [...new Set(rows.map((r) => r.db_id))].sort();
  const perCopy = o.perCopy ?? 4;
  for (let c = 0; c * perCopy < o.invented; c++) {
    const r = seeded(`prm-samples:invented:${c}`);
    const db = trainDbs[Math.floor(r() * trainDbs.length)]!;
    const bytes = original(db)();
    const schema = schemaOf(bytes);
    const copy = renamedDatabase(SQL, bytes, schema, inventedMap(schema, r)).bytes;
    const engine = new SqlJsEngine(SQL);
    engine.open(copy);
    const made = new SynthGenerator(synthDbOf(db, { engine, schema: engine.schema() }), r).generate(Math.min(perCopy, o.invented - c * perCopy));
    engine.close();
    for (const ex of made) tasks.push({ db_id: db, source: 'invented', question: ex.question, gold: ex.query, target: null, dbKey: `${db}:invented:${c}`, bytes: () => copy });
  }
  return tasks;
}
