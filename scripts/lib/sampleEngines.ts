/** The studio's bundled sample databases (public/samples), each open in its own sql.js engine, by sample id. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SqlJsStatic } from 'sql.js';
import { SAMPLES } from '../../src/state/samples';
import { SqlJsEngine } from '../../src/workers/sqljsEngine';

export function sampleEngines(SQL: SqlJsStatic): Map<string, SqlJsEngine> {
  return new Map(
    SAMPLES.map((s) => {
      const e = new SqlJsEngine(SQL);
      e.open(new Uint8Array(readFileSync(join('public/samples', s.file))));
      return [s.id, e] as const;
    }),
  );
}
