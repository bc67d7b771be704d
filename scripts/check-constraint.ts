/**
 * Checks that constrained decoding never blocks a correct answer: every Spider gold query (as the CoCTE chain the
 * policy is trained to write) is replayed token by token through IdentifierConstraint with the gold token on top.
 *   npm run constraint:check -- [--spider ../shared/data/spider] [--split dev] [--limit N] [--no-syntax]
 * With the syntax gate (default, as in the studio and eval) the finished chain must also parse at the end token.
 * Last line: `constraint admits X% of gold chains (k/n)`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeTrajectory, printWithoutNotes } from '../src/core/cocte';
import { IdentifierConstraint, tokenTexts } from '../src/core/constrain';
import { decomposeSql } from '../src/core/decompose';
import { SyntaxGate } from '../src/core/syntaxGate';
import { normalizeSql, schemaNameTest } from '../src/core/sqlFormat';
import { loadTokenizer } from '../src/core/tokenizer';
import { EnginePool, flags, readExamples, sqlJs } from './lib/spider';

const args = flags(process.argv.slice(2));
const spider = args.get('spider') ?? '../shared/data/spider';
const split = args.get('split') ?? 'dev';
const limit = Number(args.get('limit') ?? Infinity);
const syntax = !args.has('no-syntax');
const tok = loadTokenizer(
  JSON.parse(readFileSync('models/policy/tokenizer.json', 'utf8')),
  JSON.parse(readFileSync('models/policy/tokenizer_config.json', 'utf8')),
);
const vocabSize = JSON.parse(readFileSync('models/policy/config.json', 'utf8')).vocab_size as number;
const texts = tokenTexts(tok.decode, vocabSize);
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
  const gate = syntax ? new SyntaxGate() : null;
  const at = new IdentifierConstraint(entry.schema, texts, 40, gate).withQuestion(ex.question).firstBlocked(ids);
  const ended = !gate || gate.complete(tok.decode(ids));
  const ok = at < 0 && ended;
  if (at >= 0) blocked.push(`${ex.db_id}: ${JSON.stringify(tok.decode(ids.slice(0, at)).slice(-50))} + ${JSON.stringify(texts[ids[at]!])}`);
  else if (!ended) blocked.push(`${ex.db_id}: end token after ${JSON.stringify(target.slice(-50))}`);
  if (ok) admitted++;
}
for (const b of blocked.slice(0, 25)) console.log(b);
console.log(`constraint admits ${((100 * admitted) / n).toFixed(1)}% of gold chains (${admitted}/${n})`);
