import { describe, expect, it } from 'vitest';
import { parseCoCTE, printWithoutNotes } from '../src/core/cocte';
import { stepChunks } from '../src/core/prmInput';

describe('printWithoutNotes', () => {
  it('prints an edited chain without notes, one PRM chunk per step', () => {
    const edited = 'WITH\n  -- singers over 40\n  s1 AS (SELECT Name, Age FROM singer WHERE Age > 40),\n  s2 AS (\n    SELECT Name FROM s1\n  )\n-- Q: names\nSELECT count(*) FROM s2;';
    const t = parseCoCTE(edited).trajectory;
    const text = printWithoutNotes(t);
    expect(text).not.toMatch(/--/);
    expect(text).toBe('WITH\n  s1 AS (\n    SELECT Name, Age FROM singer WHERE Age > 40\n  ),\n  s2 AS (\n    SELECT Name FROM s1\n  )\nSELECT count(*) FROM s2');
    expect(stepChunks(text)).toHaveLength(t.steps.length + 1);
  });

  it('is the final query alone for a chain without steps', () => {
    expect(printWithoutNotes(parseCoCTE('SELECT 1').trajectory)).toBe('SELECT 1');
  });
});
