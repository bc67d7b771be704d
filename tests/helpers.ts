/** Test helpers: sql.js engines over the committed fixture databases. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import { SqlJsEngine } from '../src/workers/sqljsEngine';

export const FIXTURES = join(import.meta.dirname, 'fixtures');

export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, name)));
}

export async function fixtureEngine(name: string): Promise<SqlJsEngine> {
  const engine = new SqlJsEngine(await initSqlJs());
  engine.open(fixtureBytes(name));
  return engine;
}
