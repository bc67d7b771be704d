/**
 * The reliability suite's harness (npm run fuzz, scripts/lib/fuzz/) at a tiny count, so that CI checks every family
 * still runs against the real core and engine and finds nothing; the full run's figures are in bench/fuzz.json.
 * Without ../shared the SQL fuzz starts from the committed fixtures, as here.
 */
import { describe, expect, it } from 'vitest';
import { FamilyReport, summaryLine, unclearReason, type FuzzOptions } from '../scripts/lib/fuzz/common';
import { dbFileFuzz } from '../scripts/lib/fuzz/dbFiles';
import { oddSchemaFuzz } from '../scripts/lib/fuzz/oddSchemas';
import { runawayFuzz } from '../scripts/lib/fuzz/runaway';
import { sqlFuzz } from '../scripts/lib/fuzz/sqlFuzz';
import { writeFuzz } from '../scripts/lib/fuzz/writes';

const tiny = (scale: number): FuzzOptions => ({ seed: 7, scale, spider: 'tests/fixtures/no-spider-here' });

function clean(r: FamilyReport): void {
  const found = JSON.stringify((r.toJSON() as { examples: unknown }).examples, null, 1).slice(0, 2000);
  expect({ crashes: r.crashes, hangs: r.hangs, writes: r.writes, unclear: r.unclear }, found).toEqual({ crashes: 0, hangs: 0, writes: 0, unclear: 0 });
  expect(r.inputs).toBeGreaterThan(0);
}

describe('fuzz harness', () => {
  it('tells a clear message from internal text', () => {
    expect(unclearReason('no such table: OrderItems')).toBeNull();
    expect(unclearReason('near "FROM": syntax error')).toBeNull();
    expect(unclearReason('The file is empty. Choose a SQLite database file (.sqlite, .db).')).toBeNull();
    expect(unclearReason("TypeError: Cannot read properties of undefined (reading 'qualifier')")).toMatch(/internal/);
    expect(unclearReason('Maximum call stack size exceeded')).toMatch(/internal/);
    expect(unclearReason('boom\n    at refKey (/src/core/decompose.ts:401:16)')).toMatch(/stack/);
    expect(unclearReason('')).toBe('empty');
    expect(unclearReason('[object Object]')).toMatch(/value/);
    expect(unclearReason(undefined)).toMatch(/not a string/);
    expect(summaryLine({ inputs: 12, crashes: 0, hangs: 1, writes: 0, unclear: 2 })).toBe('fuzz: 12 inputs, 0 crashes, 1 hangs, 0 writes, 2 unclear errors');
  });

  it('SQL fuzz: statements through the parser, printer, decomposer, checker, constraint and engine', async () => {
    const r = await sqlFuzz(tiny(0.002));
    clean(r);
    expect(r.inputs).toBe(20);
    expect(r.stats['seeds from fixtures']).toBeGreaterThan(50);
  });

  it('database-file fuzz: cut, flipped and foreign files', async () => {
    const r = await dbFileFuzz(tiny(0.01));
    clean(r);
    expect(r.stats.refused).toBeGreaterThan(0);
    expect(r.stats['opened special: WAL-mode database']).toBe(1);
  });

  it('odd schemas: quoted, unicode, keyword and long names, views, generated columns, a BLOB', async () => {
    const r = await oddSchemaFuzz(tiny(1 / 16));
    clean(r);
    expect(r.stats['constraint admits the chain']).toBe(r.inputs);
    expect(r.stats['chain equal by execution']).toBe(r.inputs);
  });

  it('write attempts: all refused, the bytes unchanged', async () => {
    const r = await writeFuzz(tiny(1));
    clean(r);
    expect(r.stats['refused (readonly)']).toBeGreaterThan(50);
  });

  it('runaway queries: cancelled within 2 s of the timeout, the next query answers', async () => {
    const r = await runawayFuzz(tiny(0.05));
    clean(r);
    expect(r.stats.cancelled).toBe(1);
  });
});
