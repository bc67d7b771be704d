/**
 * The questions of `npm run rl`, deterministic per update so a resumed run asks what the first sitting would have:
 * - Spider's own training questions (train_spider + train_others) on the training databases, in a seeded order;
 * - a share (`inventedShare`) of template questions (synthQuestions.ts) over a fresh copy of a training database whose
 *   tables and columns get invented names (renameSchema.ts `inventedMap`): a schema the policy has never seen, so it
 *   must read the names from the prompt. Each copy is written under `<run>/dbs/` for the rollout processes.
 * The held-out validation databases (VALIDATION_DBS) and dev are never used; `heldOut` gives the validation questions.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SqlJsStatic } from 'sql.js';
import { SqlJsEngine } from '../../../src/workers/sqljsEngine';
import { inventedMap, renamedDatabase } from '../renameSchema';
import { dbPath, interleaveByDb, readExamples, seeded, VALIDATION_DBS, type SpiderExample } from '../spider';
import { SynthGenerator, synthDbOf } from '../synthQuestions';
import type { RlTask } from './protocol';

export class RlQuestions {
  private readonly pool: SpiderExample[];
  private readonly trainDbs: string[];

  constructor(
    private readonly SQL: SqlJsStatic,
    private readonly spider: string,
    private readonly runDir: string,
  ) {
    const dbDir = join(spider, 'database');
    const all = ['train_spider.json', 'train_others.json'].flatMap((f) => readExamples(join(spider, f)));
    const usable = all.filter((e) => !VALIDATION_DBS.includes(e.db_id) && existsSync(dbPath(dbDir, e.db_id)));
    const rand = seeded('rl:order');
    this.pool = usable.map((e) => ({ e, k: rand() })).sort((a, b) => a.k - b.k).map((x) => x.e);
    this.trainDbs = [...new Set(usable.map((e) => e.db_id))].sort();
  }

  get size(): number {
    return this.pool.length;
  }

  /** The questions of update `u` (0-based): `size` of them, `inventedShare` of them on invented-name copies. */
  batch(u: number, size: number, inventedShare: number): RlTask[] {
    const invented = Math.round(size * inventedShare);
    const tasks: RlTask[] = [];
    const dbDir = join(this.spider, 'database');
    for (let k = 0; k < size - invented; k++) {
      const e = this.pool[(u * (size - invented) + k) % this.pool.length]!;
      tasks.push({ id: k, dbPath: dbPath(dbDir, e.db_id), question: e.question, gold: e.query, seed: 1_000_003 * (u + 1) + 101 * k });
    }
    const dir = join(this.runDir, 'dbs');
    rmSync(dir, { recursive: true, force: true }); // only the current update's copies are kept
    mkdirSync(dir, { recursive: true });
    for (let k = 0; k < invented; k++) {
      const t = this.inventedTask(u, k, dir);
      if (t) tasks.push({ ...t, id: tasks.length });
    }
    return tasks;
  }

  private inventedTask(u: number, k: number, dir: string): Omit<RlTask, 'id'> | null {
    const rand = seeded(`rl:invent:${u}:${k}`);
    for (let tries = 0; tries < 5; tries++) {
      const dbId = this.trainDbs[Math.floor(rand() * this.trainDbs.length)]!;
      const bytes = new Uint8Array(readFileSync(dbPath(join(this.spider, 'database'), dbId)));
      const base = new SqlJsEngine(this.SQL);
      base.open(bytes);
      const schema = base.schema();
      base.close();
      const copy = renamedDatabase(this.SQL, bytes, schema, inventedMap(schema, rand));
      const engine = new SqlJsEngine(this.SQL);
      engine.open(copy.bytes);
      const [ex] = new SynthGenerator(synthDbOf(dbId, { engine, schema: engine.schema() }), rand).generate(1);
      engine.close();
      if (!ex) continue;
      const path = join(dir, `u${u}-${k}-${dbId}.sqlite`);
      writeFileSync(path, copy.bytes);
      return { dbPath: path, question: ex.question, gold: ex.query, seed: 7_000_001 * (u + 1) + 101 * k };
    }
    return null;
  }

  /** The first `limit` questions of the held-out validation databases, spread over the four (Spider train file). */
  heldOut(limit: number): RlTask[] {
    const dbDir = join(this.spider, 'database');
    const ex = interleaveByDb(readExamples(join(this.spider, 'train_spider.json')).filter((e) => VALIDATION_DBS.includes(e.db_id))).slice(0, limit);
    return ex.map((e, i) => ({ id: i, dbPath: dbPath(dbDir, e.db_id), question: e.question, gold: e.query, seed: i + 1 }));
  }
}
