/**
 * How likely the policy finds each of some words after a prefix, for one Spider dev question (teacher-forced, the
 * same ONNX model and prompt the eval uses): does the model copy a name from its prompt or recall another?
 *   npx tsx scripts/score-names.ts <dev index> ' Airline' ' uid' … [--model models/policy] [--prefix 'WITH…SELECT']
 * Prints, per word, its summed log-probability, each token's probability and the 3 likeliest next tokens.
 */
import { readFileSync } from 'node:fs';
import { softmax } from '../src/core/decode';
import { policyPrompt, promptBudget, questionValues } from '../src/core/policy';
import { SqlJsEngine } from '../src/workers/sqljsEngine';
import { loadNodePolicy } from './lib/nodeOrt';
import { dbPath, flags, readExamples, sqlJs } from './lib/spider';

const argv = process.argv.slice(2);
const args = flags(argv);
const positional = argv.filter((a, j) => !a.startsWith('--') && !argv[j - 1]?.startsWith('--'));
const [index, ...words] = positional;
const ex = readExamples(args.get('questions') ?? '../shared/data/spider/dev.json')[Number(index)]!;
const { tok, lm } = await loadNodePolicy(args.get('model') ?? 'models/policy', 'quantized', 'node', 1);
const db = new SqlJsEngine(await sqlJs());
db.open(new Uint8Array(readFileSync(dbPath(args.get('db-dir') ?? '../shared/data/spider/database', ex.db_id))));
const prompt = policyPrompt(ex.question, db.schema(), lm.promptFormat, { budget: promptBudget(lm, tok), values: await questionValues(ex.question, db.schema(), (sql) => db.query(sql, 1000)) });
const prefix = args.get('prefix') ?? 'WITH\n  s1 AS (\n    SELECT';
const base = tok.encode(prompt + prefix);
const show = (id: number, p: number) => `${JSON.stringify(tok.decode([id]))}:${p.toFixed(3)}`;
console.log(`${ex.question}\n${prompt}${prefix}…`);
for (const w of words) {
  const ids = tok.encode(prompt + prefix + w);
  let k = 0;
  while (k < base.length && ids[k] === base[k]) k++;
  // Run up to the last shared token, then feed the word's tokens one at a time and read each one's probability.
  let { past } = await lm.forward(ids.slice(0, k - 1), null);
  let logits: Float32Array<ArrayBufferLike> = new Float32Array();
  let logProb = 0;
  const parts: string[] = [];
  const rest = ids.slice(k - 1);
  for (let j = 0; j < rest.length; j++) {
    const out = await lm.forward([rest[j]!], past);
    lm.release?.(past);
    ({ past, logits } = out);
    if (j + 1 < rest.length) {
      const p = softmax(logits)[rest[j + 1]!]!;
      logProb += Math.log(p);
      parts.push(show(rest[j + 1]!, p));
    }
  }
  const p = softmax(logits);
  const top = [...p.keys()].sort((a, b) => p[b]! - p[a]!).slice(0, 3);
  console.log(`${JSON.stringify(w).padEnd(16)} ${logProb.toFixed(2).padStart(7)}  ${parts.join(' ')}  | next: ${top.map((t) => show(t, p[t]!)).join(' ')}`);
}
db.close();
process.exit(0);
