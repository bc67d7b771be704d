import { describe, expect, it } from 'vitest';
import { buildPrompt, promptFormatOf, QUESTION_FIRST, SCHEMA_FIRST } from '../src/core/prompt';

describe('prompt format adapter', () => {
  it("reads the layout a model folder's config declares, schema-first when it declares none", () => {
    expect(promptFormatOf({})).toEqual(SCHEMA_FIRST);
    expect(promptFormatOf({ cocte_prompt: { order: 'question-first', examples_per_column: 1 } })).toEqual(QUESTION_FIRST);
    expect(promptFormatOf({ cocte_prompt: { order: 'question-first' } }).examplesPerColumn).toBe(SCHEMA_FIRST.examplesPerColumn);
    expect(() => promptFormatOf({ cocte_prompt: { order: 'sideways' } })).toThrow(/Unknown cocte_prompt.order "sideways"/);
  });

  it('puts the question before or after the schema', () => {
    const schema = '# singer(Singer_ID int PK, *Name text)';
    expect(buildPrompt(' How  many\nsingers? ', schema, QUESTION_FIRST)).toBe(`-- How many singers?\n${schema}\n`);
    expect(buildPrompt('How many singers?', schema, SCHEMA_FIRST)).toBe(`${schema}\n-- How many singers?\n`);
  });
});
