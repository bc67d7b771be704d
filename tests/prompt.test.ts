import { describe, expect, it } from 'vitest';
import { buildPrompt, promptFormatOf, QUESTION_FIRST, QUESTION_FIRST_SPACED, SCHEMA_FIRST, schemaOptions, serializeSchema } from '../src/core/prompt';
import type { SchemaInfo } from '../src/core/types';

describe('prompt format adapter', () => {
  it("reads the layout a model folder's config declares, schema-first when it declares none", () => {
    expect(promptFormatOf({})).toEqual(SCHEMA_FIRST);
    expect(promptFormatOf({ cocte_prompt: { order: 'question-first', examples_per_column: 1 } })).toEqual(QUESTION_FIRST);
    expect(promptFormatOf({ cocte_prompt: { order: 'question-first' } }).examplesPerColumn).toBe(SCHEMA_FIRST.examplesPerColumn);
    expect(() => promptFormatOf({ cocte_prompt: { order: 'sideways' } })).toThrow(/Unknown cocte_prompt.order "sideways"/);
    expect(promptFormatOf({ cocte_prompt: { order: 'question-first', examples_per_column: 1, names: 'spaced' } })).toEqual(QUESTION_FIRST_SPACED);
    expect(() => promptFormatOf({ cocte_prompt: { order: 'question-first', names: 'glued' } })).toThrow(/Unknown cocte_prompt.names "glued"/);
  });

  it('writes column names after a space in the spaced format, as SQL does, and attached to ( or * otherwise', () => {
    const schema: SchemaInfo = {
      tables: [
        {
          name: 'airlines',
          columns: [
            { name: 'uid', type: 'INTEGER', pk: 1, notNull: false, examples: [1] },
            { name: 'Airline', type: 'TEXT', pk: 0, notNull: false, examples: ['United Airlines'] },
          ],
          kind: 'table',
          primaryKey: ['uid'],
          foreignKeys: [],
          rowCount: 12,
        },
      ],
    } as SchemaInfo;
    const link = { tables: ['airlines'], columns: new Set(['airlines.airline']), tableScores: new Map() };
    expect(serializeSchema(schema, link, schemaOptions(QUESTION_FIRST))).toBe('# airlines(uid int PK = 1, *Airline text = United Airlines)');
    expect(serializeSchema(schema, link, schemaOptions(QUESTION_FIRST_SPACED))).toBe('# airlines: uid int PK = 1, Airline* text = United Airlines');
  });

  it('puts the question before or after the schema', () => {
    const schema = '# singer(Singer_ID int PK, *Name text)';
    expect(buildPrompt(' How  many\nsingers? ', schema, QUESTION_FIRST)).toBe(`-- How many singers?\n${schema}\n`);
    expect(buildPrompt('How many singers?', schema, SCHEMA_FIRST)).toBe(`${schema}\n-- How many singers?\n`);
  });
});
