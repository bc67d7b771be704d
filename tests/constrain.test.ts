import { describe, expect, it } from 'vitest';
import { IdentifierConstraint } from '../src/core/constrain';
import type { SchemaInfo } from '../src/core/types';

const schema: SchemaInfo = {
  tables: [
    { name: 'singer', kind: 'table', columns: [col('Singer_ID'), col('Name'), col('Age')], primaryKey: ['Singer_ID'], foreignKeys: [], rowCount: 6 },
    { name: 'concert', kind: 'table', columns: [col('concert_ID'), col('Year')], primaryKey: ['concert_ID'], foreignKeys: [], rowCount: 6 },
  ],
};

function col(name: string) {
  return { name, type: 'text', notNull: false, pk: 0, examples: [] };
}

// A toy vocabulary: each entry is what one token writes.
const vocab = ['SELECT', ' name', ' nam', 'e', ' FROM', ' singers', ' singer', ' concert', 'x', ' WHERE', " 'Bob", "by'", ' age', ' s1', ' T2', '.Name', ' count_all', ' salary', '_2', ' 42'];

function allowed(text: string): string[] {
  const c = new IdentifierConstraint(schema, vocab, vocab.length);
  const logits = new Float32Array(vocab.length).fill(0);
  c.apply(text, logits);
  return vocab.filter((_, i) => logits[i] !== -Infinity);
}

describe('IdentifierConstraint', () => {
  it('never lets the model write a name the schema does not have', () => {
    const ok = allowed('SELECT name FROM');
    expect(ok).toContain(' singer');
    expect(ok).toContain(' concert');
    expect(ok).not.toContain(' singers');
    expect(ok).not.toContain(' salary');
    expect(ok).toContain(' s1');
    expect(ok).toContain(' T2');
    expect(ok).toContain(' count_all');
    expect(ok).toContain(' 42');
  });

  it('does not let the end token cut a name in half', () => {
    const c = new IdentifierConstraint(schema, ['', 'ger', ' x'], 3);
    const logits = new Float32Array([5, 0, 0]);
    c.apply('SELECT count(*) FROM sin', logits);
    expect(logits[0]).toBe(-Infinity);
    expect(logits[1]).toBe(0);
    const done = new Float32Array([5, 0, 0]);
    c.apply('SELECT count(*) FROM singer', done);
    expect(done[0]).toBe(5);
  });

  it('checks words across token boundaries', () => {
    expect(allowed('SELECT')).toContain(' nam');
    expect(allowed('SELECT nam')).toContain('e');
    expect(allowed('SELECT nam')).not.toContain('x');
    expect(allowed('SELECT T2')).toContain('.Name');
    expect(allowed('SELECT name')).toContain('_2');
  });

  it('leaves string literals free', () => {
    expect(allowed("SELECT * FROM singer WHERE Name = 'Bo")).toContain('x');
    expect(allowed("SELECT * FROM singer WHERE Name = 'Bob'")).not.toContain('x');
  });
});
