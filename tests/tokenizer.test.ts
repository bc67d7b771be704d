import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadTokenizer } from '../src/core/tokenizer';
import parity from './fixtures/tokenizer-parity.json';

const dir = 'models/policy';
const tok = loadTokenizer(JSON.parse(readFileSync(`${dir}/tokenizer.json`, 'utf8')), JSON.parse(readFileSync(`${dir}/tokenizer_config.json`, 'utf8')));

describe('policy tokenizer', () => {
  it('gives the training tokenizer ids on every fixture text', () => {
    for (const f of parity) expect(tok.encode(f.text), JSON.stringify(f.text)).toEqual(f.ids);
  });

  it('decodes back to the text', () => {
    for (const f of parity) expect(tok.decode(f.ids)).toBe(f.text);
  });

  it('knows the end token', () => {
    expect(tok.eosId).toBe(0);
  });
});
