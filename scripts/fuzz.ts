/**
 * The reliability suite: hostile inputs against the real core and the real sql.js engine, in Node, with a fixed seed.
 *   npm run fuzz -- [--seed 1] [--scale 1 | --count 10000] [--only sql,files,schemas,writes,runaway]
 *     [--spider ../shared/data/spider] [--out bench/fuzz.json]
 * Families (one module each under scripts/lib/fuzz/):
 *  - sql: 10,000 mutated and grammar-generated statements through the CoCTE parser and printer, the decomposer, the
 *    prefix checker and the constraint, and the engine (sqlFuzz.ts);
 *  - files: every fixture database cut at every page boundary, 2,000 with bytes flipped, and non-SQLite files,
 *    opened through the worker dispatcher (dbFiles.ts);
 *  - schemas: generated databases with odd names and objects, through the schema reader, the prompt, linking, the
 *    decomposer, the checker and the constraint (oddSchemas.ts);
 *  - writes: statements that would change the database, all refused, the bytes hashed before and after (writes.ts);
 *  - runaway: queries that never end, cancelled by the worker client's timeout (runaway.ts).
 * `--scale` multiplies every family's count (`--count N` is `--scale N/10000`: N SQL statements). A crash is an
 * exception that escapes the core or the engine, a hang a call over 1 s (or a cancellation later than 2 s after its
 * timeout), a write a statement the engine ran that would change the data (or a changed hash), an unclear error a
 * message shown to the user that is internal text (common.ts unclearReason).
 * Last line: `fuzz: N inputs, C crashes, H hangs, W writes, U unclear errors`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { flags } from './lib/spider';
import { FamilyReport, HANG_MS, summaryLine, type FuzzOptions, type Totals } from './lib/fuzz/common';
import { dbFileFuzz } from './lib/fuzz/dbFiles';
import { oddSchemaFuzz } from './lib/fuzz/oddSchemas';
import { runawayFuzz } from './lib/fuzz/runaway';
import { SQL_STATEMENTS, sqlFuzz } from './lib/fuzz/sqlFuzz';
import { writeFuzz } from './lib/fuzz/writes';

const FAMILIES: Record<string, (o: FuzzOptions) => Promise<FamilyReport>> = {
  sql: sqlFuzz,
  files: dbFileFuzz,
  schemas: oddSchemaFuzz,
  writes: writeFuzz,
  runaway: runawayFuzz,
};

const args = flags(process.argv.slice(2));
const opts: FuzzOptions = {
  seed: Number(args.get('seed') ?? 1),
  scale: args.has('count') ? Number(args.get('count')) / SQL_STATEMENTS : Number(args.get('scale') ?? 1),
  spider: args.get('spider') ?? '../shared/data/spider',
};
const out = args.get('out') ?? 'bench/fuzz.json';
const only = (args.get('only') ?? Object.keys(FAMILIES).join(',')).split(',');
for (const name of only) if (!FAMILIES[name]) throw new Error(`Unknown family "${name}"; the families are ${Object.keys(FAMILIES).join(', ')}.`);
if (!(opts.scale > 0)) throw new Error('--scale (or --count) must be a positive number.');

const t0 = performance.now();
const reports: FamilyReport[] = [];
for (const name of only) {
  const r = (await FAMILIES[name]!(opts)).finish();
  reports.push(r);
  console.log(summaryLine(r).replace(/^fuzz:/, `${name}:`));
}
const sum = (k: 'inputs' | 'crashes' | 'hangs' | 'writes' | 'unclear') => reports.reduce((a, r) => a + r[k], 0);
const totals: Totals = { inputs: sum('inputs'), crashes: sum('crashes'), hangs: sum('hangs'), writes: sum('writes'), unclear: sum('unclear') };
const seconds = Number(((performance.now() - t0) / 1000).toFixed(1));
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify(
    {
      command: ['npm run fuzz', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
      date: new Date().toISOString(),
      node: process.version,
      seed: opts.seed,
      scale: opts.scale,
      seconds,
      rules: {
        crash: 'an exception that escapes a call into the core or the engine (a refusal the API documents, such as DecomposeError, is not one)',
        hang: `a call into the core over ${HANG_MS} ms; a runaway query whose cancellation comes later than 2 s after its timeout`,
        write: 'a write attempt the engine runs, or database bytes whose SHA-256 differs after the suite',
        unclear: 'a message shown to the user that is empty, a value, a stack trace, a JavaScript error class or runtime fault, or over 4,000 characters (scripts/lib/fuzz/common.ts unclearReason)',
      },
      totals,
      families: Object.fromEntries(reports.map((r) => [r.name, r])),
    },
    null,
    1,
  )}\n`,
);
console.log(`details in ${out} (${seconds} s)`);
console.log(summaryLine(totals));
