import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../src/core/decode';
import { decomposeSql } from '../src/core/decompose';
import { SynthGenerator, words } from '../scripts/lib/synthQuestions';
import { fixtureEngine } from './helpers';

describe('template questions (policy data augmentation)', () => {
  it('spells identifiers in words', () => {
    expect(words('Num_Employees')).toBe('num employees');
    expect(words('StuID')).toBe('stu id');
    expect(words('concert_Name')).toBe('concert name');
  });

  it('writes questions whose SQL runs on the database and decomposes into a chain', async () => {
    const engine = await fixtureEngine('concert_singer.sqlite');
    const schema = engine.schema();
    const gen = new SynthGenerator(
      { dbId: 'concert_singer', tables: schema.tables, rows: (q) => { const r = engine.query(q, 1000); return r.ok ? r.result.rows : []; } },
      mulberry32(7),
    );
    const exs = gen.generate(60);
    expect(exs.length).toBeGreaterThan(40);
    expect(new Set(exs.map((e) => e.query)).size).toBe(exs.length);
    for (const e of exs) {
      const r = engine.query(e.query, 1000);
      expect(r.ok, `${e.query}: ${r.ok ? '' : r.error}`).toBe(true);
      expect(() => decomposeSql(e.query, schema)).not.toThrow();
      expect(e.question).toMatch(/[?.]$/);
    }
    // Several patterns show up, joins along foreign keys included.
    expect(exs.some((e) => /JOIN/.test(e.query))).toBe(true);
    expect(exs.some((e) => /GROUP BY/.test(e.query))).toBe(true);
    expect(exs.some((e) => /WHERE/.test(e.query))).toBe(true);
    // Deterministic for a seed.
    const again = new SynthGenerator({ dbId: 'concert_singer', tables: schema.tables, rows: (q) => { const r = engine.query(q, 1000); return r.ok ? r.result.rows : []; } }, mulberry32(7));
    expect(again.generate(60)).toEqual(exs);
  });
});
