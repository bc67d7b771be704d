/**
 * Checks that constrained decoding never blocks a correct answer: every Spider gold query (as the CoCTE chain the
 * policy is trained to write) is replayed token by token through the constraint the studio decodes with
 * (answerConfig.ts: the name rules and the prefix checker), with the gold token on top, and then the end token.
 *   npm run constraint:check -- [--spider ../shared/data/spider] [--split dev|train_spider] [--limit N]
 *     [--no-syntax] (the name, literal and number rules only, without the prefix checker)
 * Last line: `constraint admits X% of gold chains (k/n)`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeTrajectory, printWithoutNotes } from '../src/core/cocte';
import { answerSettings, ConstraintBuilder, type AnswerConstraint } from '../src/core/answerConfig';
import { tokenTexts } from '../src/core/constrain';
import { decomposeSql } from '../src/core/decompose';
import { normalizeSql, schemaNameTest } from '../src/core/sqlFormat';
import { loadTokenizer } from '../src/core/tokenizer';
import { EnginePool, flags, readExamples, sqlJs } from './lib/spider';

const args = flags(process.argv.slice(2));
const spider = args.get('spider') ?? '../shared/data/spider';
const split = args.get('split') ?? 'dev';
const limit = Number(args.get('limit') ?? Infinity);
const settings = answerSettings('greedy', null, { syntax: args.has('no-syntax') ? 'off' : undefined });
const tok = loadTokenizer(
  JSON.parse(readFileSync('models/policy/tokenizer.json', 'utf8')),
  JSON.parse(readFileSync('models/policy/tokenizer_config.json', 'utf8')),
);
const vocabSize = JSON.parse(readFileSync('models/policy/config.json', 'utf8')).vocab_size as number;
const texts = tokenTexts(tok.decode, vocabSize);
const builder = new ConstraintBuilder(texts, settings);
const eos = tok.eosId;

/** The first token of `ids` the constraint masks when it is the most likely one (ids.length: the end token), or -1. */
function firstBlocked(c: AnswerConstraint, ids: number[]): number {
  let text = '';
  for (let i = 0; i <= ids.length; i++) {
    const id = i < ids.length ? ids[i]! : eos;
    const logits = new Float32Array(texts.length);
    logits[id] = 1;
    c.apply(text, logits);
    if (logits[id] === -Infinity) return i;
    if (i < ids.length) text += texts[id] ?? '';
  }
  return -1;
}
const pool = new EnginePool(await sqlJs(), join(spider, 'database'));
let n = 0;
let admitted = 0;
const blocked: string[] = [];
for (const ex of readExamples(join(spider, `${split}.json`)).slice(0, limit)) {
  const entry = pool.get(ex.db_id);
  if (!entry) continue;
  let target: string;
  try {
    target = printWithoutNotes(normalizeTrajectory(decomposeSql(normalizeSql(ex.query, schemaNameTest(entry.schema)), entry.schema)));
  } catch {
    continue;
  }
  n++;
  const ids = tok.encode(target);
  const at = firstBlocked(builder.forQuestion(entry.schema, ex.question, ex.db_id)!, ids);
  const ok = at < 0;
  if (at >= 0 && at < ids.length) blocked.push(`${ex.db_id}: ${JSON.stringify(tok.decode(ids.slice(0, at)).slice(-50))} + ${JSON.stringify(texts[ids[at]!])}`);
  else if (at >= 0) blocked.push(`${ex.db_id}: end token after ${JSON.stringify(target.slice(-50))}`);
  if (ok) admitted++;
}
for (const b of blocked.slice(0, 25)) console.log(b);
console.log(`constraint admits ${((100 * admitted) / n).toFixed(1)}% of gold chains (${admitted}/${n})`);
