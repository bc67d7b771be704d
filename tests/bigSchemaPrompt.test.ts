/**
 * On a generated schema of 2,000 tables and 20,000 columns, the policy's prompt (schema linking, then shrinking to
 * the budget: src/core/policy.ts policyPrompt, promptBudget; src/core/schemaLink.ts) stays within the embedded
 * model's context less the room kept for the chain, and keeps the table a question names.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHAIN_ROOM, policyPrompt, promptBudget } from '../src/core/policy';
import { promptFormatOf } from '../src/core/prompt';
import { loadTokenizer } from '../src/core/tokenizer';
import type { SchemaInfo, TableInfo } from '../src/core/types';
import { wideTableName } from '../scripts/lib/bigDb';

const dir = 'models/policy';
const config = JSON.parse(readFileSync(`${dir}/config.json`, 'utf8'));
const tok = loadTokenizer(JSON.parse(readFileSync(`${dir}/tokenizer.json`, 'utf8')), JSON.parse(readFileSync(`${dir}/tokenizer_config.json`, 'utf8')));
const contextLength: number = config.max_position_embeddings;
const format = promptFormatOf(config);

/** The schema of scripts/lib/bigDb.ts wideDb(2000): 2,000 tables of 10 columns (with a foreign key chain) and `singer`. */
function wideSchema(n = 2000): SchemaInfo {
  const cols = ['name', 'code', 'status', 'amount', 'created_on', 'region', 'owner', 'score'];
  const tables: TableInfo[] = Array.from({ length: n }, (_, i) => ({
    name: wideTableName(i),
    kind: 'table',
    columns: [
      { name: 'id', type: 'INTEGER', notNull: false, pk: 1, examples: [1, 2, 3] },
      { name: 'parent_id', type: 'INT', notNull: false, pk: 0, examples: [1, 2] },
      ...cols.map((c) => ({ name: c, type: c === 'amount' || c === 'score' ? 'REAL' : 'TEXT', notNull: false, pk: 0, examples: [`${wideTableName(i)} ${c}`, `${c} two`] })),
    ],
    primaryKey: ['id'],
    foreignKeys: i > 0 ? [{ from: 'parent_id', table: wideTableName(i - 1), to: 'id' }] : [],
    rowCount: 3,
  }));
  tables.push({
    name: 'singer',
    kind: 'table',
    columns: ['Singer_ID', 'Name', 'Country', 'Age'].map((c, j) => ({ name: c, type: j === 0 || j === 3 ? 'INT' : 'TEXT', notNull: false, pk: j === 0 ? 1 : 0, examples: j === 2 ? ['France', 'Netherlands'] : [] })),
    primaryKey: ['Singer_ID'],
    foreignKeys: [],
    rowCount: 6,
  });
  return { tables };
}

describe('the policy prompt on a 2,000-table schema', () => {
  const schema = wideSchema();
  const budget = promptBudget({ contextLength }, tok)!;

  it('has 2,001 tables and 20,004 columns', () => {
    expect(schema.tables.length).toBe(2001);
    expect(schema.tables.reduce((n, t) => n + t.columns.length, 0)).toBe(20_004);
    expect(budget.maxTokens).toBe(contextLength - CHAIN_ROOM);
  });

  it.each([
    ['How many singers are there?', 'singer'],
    ['What is the total amount of the open invoices in the billing area?', null],
    ['List the name, code, status, amount, region, owner and score of every shipment, customer, ticket, campaign, vendor and payment.', null],
    ['Which singers from France are older than 30?', 'singer'],
  ])('%s: within the context, in well under a second', (question, table) => {
    const t0 = performance.now();
    const prompt = policyPrompt(question, schema, format, { budget });
    const ms = performance.now() - t0;
    const tokens = tok.encode(prompt).length;
    expect(tokens).toBeLessThanOrEqual(contextLength - CHAIN_ROOM);
    expect(prompt).toContain(question);
    if (table) expect(prompt).toMatch(new RegExp(`# ${table}\\b`));
    expect(ms).toBeLessThan(2000);
  });

  it('links at most 8 of the 2,001 tables, and shrinks what still does not fit', () => {
    const question = 'List the name, code, status, amount, region, owner and score of every shipment, customer, ticket, campaign, vendor and payment.';
    const linked = policyPrompt(question, schema, format);
    const tables = (p: string) => p.split('\n').filter((l) => /^# [^ ]+:/.test(l)).length;
    expect(tables(linked)).toBeGreaterThan(0);
    expect(tables(linked)).toBeLessThanOrEqual(8);
    const bounded = policyPrompt(question, schema, format, { budget });
    expect(tok.encode(bounded).length).toBeLessThanOrEqual(budget.maxTokens);
    expect(tables(bounded)).toBeGreaterThan(0);
    expect(tables(bounded)).toBeLessThanOrEqual(tables(linked));
  });
});
