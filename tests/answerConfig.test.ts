import { describe, expect, it } from 'vitest';
import { answerSettings, buildConstraint, chainOptions, ConstraintBuilder, decodeOptions, type AnswerConstraint } from '../src/core/answerConfig';
import { DEFAULT_MAX_NEW_TOKENS } from '../src/core/decode';
import { DEFAULT_SAMPLE_TOKEN_RATIO, STRATEGIES } from '../src/core/search';
import type { SchemaInfo } from '../src/core/types';

const col = (name: string) => ({ name, type: 'text', notNull: false, pk: 0, examples: [] });
const schema: SchemaInfo = {
  tables: [
    { name: 'singer', kind: 'table', columns: [col('Singer_ID'), col('Name'), col('Age')], primaryKey: ['Singer_ID'], foreignKeys: [], rowCount: 6 },
    { name: 'concert', kind: 'table', columns: [col('concert_ID'), col('Year')], primaryKey: ['concert_ID'], foreignKeys: [], rowCount: 6 },
  ],
};
// A toy vocabulary: each entry is what one token writes.
const vocab = [' singer', ' singers', ' name', 'x', "by'", ' WHERE', ' or ', ' FROM', ')'];

function allowed(c: AnswerConstraint, text: string): string[] {
  const logits = new Float32Array(vocab.length);
  c.apply(text, logits);
  return vocab.filter((_, i) => logits[i] !== -Infinity);
}

describe('answerSettings', () => {
  it('gives every strategy the measured defaults', () => {
    for (const strategy of STRATEGIES) {
      const s = answerSettings(strategy, null);
      expect(s).toMatchObject({ strategy, n: 8, agg: 'weighted', beamWidth: 2, tokenBeam: 1, maxDepth: 8, temperature: 1, stepRetries: 0, fallbackTries: 0 });
      expect(s).toMatchObject({ maxNewTokens: DEFAULT_MAX_NEW_TOKENS, sampleTokenRatio: DEFAULT_SAMPLE_TOKEN_RATIO, greedyFirst: true, executionFeedback: false });
      expect(s).toMatchObject({ constrained: true, literals: true, numbers: true });
      // Every strategy decodes under the prefix checker.
      expect(s.syntax).toBe('checker');
    }
    expect(DEFAULT_MAX_NEW_TOKENS).toBe(320);
  });

  it("takes the token limit and the sampling temperature from the model's generation config", () => {
    expect(answerSettings('greedy', { max_new_tokens: 200, do_sample: false, eos_token_id: 0 }).maxNewTokens).toBe(200);
    expect(answerSettings('vote', { temperature: 0.7 }).temperature).toBe(0.7);
    expect(answerSettings('vote', {}).maxNewTokens).toBe(DEFAULT_MAX_NEW_TOKENS);
    expect(answerSettings('vote', { max_new_tokens: 0 }).maxNewTokens).toBe(DEFAULT_MAX_NEW_TOKENS);
  });

  it('lets overrides win, ignores undefined ones, and turns off rules whose base rule is off', () => {
    const s = answerSettings('vote', { max_new_tokens: 200 }, { maxNewTokens: 100, n: 4, syntax: 'off', stepRetries: 2, temperature: undefined });
    expect(s).toMatchObject({ strategy: 'vote', maxNewTokens: 100, n: 4, syntax: 'off', stepRetries: 2, temperature: 1 });
    expect(answerSettings('greedy', null, { syntax: 'off' }).syntax).toBe('off');
    expect(answerSettings('greedy', null, { strategy: 'bon' }).strategy).toBe('greedy');
    expect(answerSettings('greedy', null, { constrained: false })).toMatchObject({ constrained: false, literals: false, numbers: false, syntax: 'off' });
    expect(answerSettings('greedy', null, { literals: false })).toMatchObject({ constrained: true, literals: false, numbers: false, syntax: 'checker' });
  });
});

describe('buildConstraint', () => {
  it('is null when unconstrained', () => {
    expect(buildConstraint(schema, vocab, answerSettings('greedy', null, { constrained: false }), 'q')).toBeNull();
  });

  it("restricts names to the schema and literals to the question's values", () => {
    const c = buildConstraint(schema, vocab, answerSettings('vote', null), 'Which singers are called Bobby?')!;
    expect(allowed(c, 'SELECT count(*) FROM')).toContain(' singer');
    expect(allowed(c, 'SELECT count(*) FROM')).not.toContain(' singers');
    expect(allowed(c, "SELECT * FROM singer WHERE Name = 'Bob")).toContain("by'");
    expect(allowed(c, "SELECT * FROM singer WHERE Name = 'Bob")).not.toContain('x');
    const free = buildConstraint(schema, vocab, answerSettings('vote', null, { literals: false }), 'Which singers are called Bobby?')!;
    expect(allowed(free, "SELECT * FROM singer WHERE Name = 'Bob")).toContain('x');
  });

  it('adds the prefix checker where the settings ask for it', () => {
    const checked = buildConstraint(schema, vocab, answerSettings('greedy', null), 'q')!;
    expect(allowed(checked, 'SELECT Name FROM singer GROUP BY Name')).not.toContain(' WHERE');
    // It closes a chain at its token budget.
    expect(checked.close!('SELECT Name FROM singer WHERE Age >')).toBe('SELECT Name FROM singer WHERE Age > NULL');
    const names = buildConstraint(schema, vocab, answerSettings('vote', null, { syntax: 'off' }), 'q')!;
    expect(allowed(names, 'SELECT Name FROM singer GROUP BY Name')).toContain(' WHERE');
    expect(names.close).toBeUndefined();
  });

  it('keeps the schema part per database across questions', () => {
    const b = new ConstraintBuilder(vocab, answerSettings('greedy', null));
    const part = () => (b as unknown as { last: { names: unknown; checker: unknown } }).last;
    b.forQuestion(schema, 'Which singers are called Bobby?', 'concert_singer');
    const first = part();
    b.forQuestion(structuredClone(schema), 'How many singers?', 'concert_singer');
    expect(part()).toBe(first);
    b.forQuestion(schema, 'How many singers?', 'other');
    expect(part().checker).not.toBe(first.checker);
  });
});

describe('decodeOptions', () => {
  it('gives search every setting, and the constraint when there is one', () => {
    const s = answerSettings('bon', { max_new_tokens: 300 });
    const c = buildConstraint(schema, vocab, s, 'q');
    const o = decodeOptions(s, c);
    expect(o).toMatchObject({ strategy: 'bon', n: 8, agg: 'weighted', beamWidth: 2, tokenBeam: 1, maxDepth: 8, greedyFirst: true, sampleTokenRatio: 2 });
    expect(o).toMatchObject({ temperature: 1, maxNewTokens: 300, stepRetries: 0, executionFeedback: false });
    expect(o.constrain!('SELECT count(*) FROM', new Float32Array(vocab.length))).toBe(true);
    expect(decodeOptions(answerSettings('bon', null, { constrained: false }), null).constrain).toBeUndefined();
  });

  it('decodes a greedy chain at temperature 0 and a sampled one at the settings temperature', () => {
    expect(chainOptions(answerSettings('greedy', null), null).temperature).toBe(0);
    expect(chainOptions(answerSettings('bon', null, { temperature: 0.8 }), null).temperature).toBe(0.8);
  });
});
