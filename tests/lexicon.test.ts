import { describe, expect, it } from 'vitest';
import { chainBudget, mulberry32 } from '../src/core/decode';
import { policyPrompt } from '../src/core/policy';
import { abbreviates, lemmas, relate } from '../src/core/lexicon/meaning';
import { reword, synonyms } from '../src/core/lexicon/reword';
import { promptFormatOf, QUESTION_FIRST_KINDS, schemaOptions, serializeSchema } from '../src/core/prompt';
import { linkSchema } from '../src/core/schemaLink';
import { valueColumns, valuePhrases } from '../src/core/valueLink';
import type { SchemaInfo, TableInfo } from '../src/core/types';

function table(name: string, columns: string[], examples: Record<string, string[]> = {}): TableInfo {
  return {
    name,
    kind: 'table',
    columns: columns.map((c, i) => ({ name: c, type: i === 0 ? 'INTEGER' : 'TEXT', notNull: false, pk: i === 0 ? 1 : 0, examples: examples[c] ?? [] })),
    primaryKey: [columns[0]!],
    foreignKeys: [],
    rowCount: 3,
  };
}

const concert: SchemaInfo = {
  tables: [
    table('singer', ['Singer_ID', 'Name', 'Country', 'Age', 'Is_male'], { Country: ['France', 'Netherlands'] }),
    table('stadium', ['Stadium_ID', 'Location', 'Capacity', 'Highest']),
    table('dept', ['dept_no', 'dept_name', 'budget']),
    table('employee', ['emp_id', 'salary', 'hire_date']),
  ],
};

describe('lemmas', () => {
  it('finds dictionary forms of regular and irregular forms', () => {
    expect(lemmas('vocalists')).toContain('vocalist');
    expect(lemmas('oldest')).toContain('old');
    expect(lemmas('children')).toContain('child');
    expect(lemmas('biggest')).toContain('big');
    expect(lemmas('qwzxv')).toEqual([]);
  });
  it('is not fooled by names of Object.prototype', () => {
    expect(lemmas('constructor')).not.toContain(undefined);
    expect(relate('constructor', 'tostring')).toBeNull();
  });
});

describe('relate', () => {
  it('tells the kinds of relation apart', () => {
    expect(relate('singers', 'singer')).toBe('same');
    expect(relate('vocalists', 'singer')).toBe('synonym');
    expect(relate('nations', 'country')).toBe('synonym');
    expect(relate('old', 'age')).toBe('related');
    expect(relate('tallest', 'height')).toBe('related');
    expect(relate('cars', 'vehicle')).toBe('related');
    expect(relate('department', 'dept')).toBe('abbreviation');
    expect(relate('students', 'stu')).toBe('abbreviation');
    expect(relate('average', 'age')).toBeNull();
    expect(relate('stadium', 'singer')).toBeNull();
  });
  it('takes an abbreviation only when the short word is not a word itself', () => {
    expect(abbreviates('qty', 'quantity')).toBe(true);
    expect(abbreviates('no', 'number')).toBe(true);
    expect(abbreviates('age', 'average')).toBe(false);
  });
});

describe('linkSchema by meaning', () => {
  it('links a column the question names in other words, and marks the kind', () => {
    const link = linkSchema('How old is the oldest vocalist from France?', concert);
    expect(link.tables).toContain('singer');
    expect(link.kinds?.get('singer.age')).toBe('meaning');
    expect(link.kinds?.get('singer.country')).toBe('value');
    expect(link.columns.has('singer.age')).toBe(true);
  });
  it('keeps name links as they were', () => {
    const link = linkSchema('What is the average age of all singers?', concert);
    expect(link.kinds?.get('singer.age')).toBe('name');
    expect(link.tables[0]).toBe('singer');
  });
  it('links abbreviated names', () => {
    const link = linkSchema('Which department has the largest budget?', concert);
    expect(link.tables).toContain('dept');
    expect(link.kinds?.get('dept.budget')).toBe('name');
    expect(link.columns.has('dept.dept_name')).toBe(false); // `name` is not in the question
    expect(link.tables).not.toContain('stadium');
  });
  it('never links a column through words that only ask', () => {
    const link = linkSchema('Show all the records with the highest number', concert);
    expect(link.columns.has('stadium.highest')).toBe(true); // named
    expect([...(link.kinds?.values() ?? [])].every((k) => k !== 'meaning')).toBe(true);
  });
});

describe('linkSchema: the table that names a kept table\'s rows', () => {
  const poker: SchemaInfo = {
    tables: [
      { ...table('poker_player', ['Poker_Player_ID', 'People_ID', 'Earnings']), foreignKeys: [{ from: 'People_ID', table: 'people', to: 'People_ID' }] },
      table('people', ['People_ID', 'Name', 'Nationality']),
      table('venue', ['Venue_ID', 'City']),
    ],
  };
  it('keeps people for "the poker players", whose rows only people names', () => {
    expect(linkSchema('Who are the poker players?', poker).tables).toEqual(['poker_player', 'people']);
    expect(linkSchema('Who are the poker players?', poker, { impliedNames: false }).tables).toEqual(['poker_player']);
  });
});

describe('prompt link marks', () => {
  it('marks meaning links with ~ in the kinds format and * in the star format', () => {
    const link = linkSchema('How old is the oldest vocalist from France?', concert);
    const kinds = serializeSchema(concert, link, schemaOptions(QUESTION_FIRST_KINDS));
    expect(kinds).toContain('Age~ text');
    expect(kinds).toContain('Country* text');
    const star = serializeSchema(concert, link, schemaOptions({ order: 'question-first', examplesPerColumn: 1, names: 'spaced' }));
    expect(star).toContain('Age* text');
  });
  it('reads the marks a model folder declares', () => {
    expect(promptFormatOf({ cocte_prompt: { order: 'question-first', names: 'spaced', links: 'kinds' } }).links).toBe('kinds');
    expect(promptFormatOf({ cocte_prompt: { order: 'question-first' } }).links).toBeUndefined();
    expect(() => promptFormatOf({ cocte_prompt: { order: 'question-first', links: 'bold' } })).toThrow(/links/);
  });
});

describe('reword', () => {
  const tables = ['singer', 'concert'];
  const columns = ['Singer_ID', 'Name', 'Country', 'Age', 'Song_Name'];
  it('removes explicit column mentions', () => {
    expect(reword('Show the name of the singer with the highest age.', tables, columns, mulberry32(1), 'implicit')).toBe('Show the oldest singer.');
    expect(reword('List singers whose age is above 30.', tables, columns, mulberry32(1), 'implicit')).toBe('List singers older than 30.');
    expect(reword('List all singers sorted by age in descending order.', tables, columns, mulberry32(1), 'implicit')).toBe(
      'List all singers from the oldest to the youngest.',
    );
    expect(reword('How many concerts are there?', tables, columns, mulberry32(1), 'implicit')).toBeNull();
  });
  it('replaces schema words with synonyms of their main sense, keeping quoted values and names', () => {
    expect(synonyms('singer')).toContain('vocalist');
    const out = reword('How many singers are from the country "Country Music"?', tables, columns, () => 0, 'synonym');
    expect(out).not.toBeNull();
    expect(out).toContain('"Country Music"');
    expect(out).not.toMatch(/\bsingers\b/);
  });
  it('is reproducible for a seed', () => {
    const q = 'What are the names of singers from each country, by age?';
    expect(reword(q, tables, columns, mulberry32(7))).toBe(reword(q, tables, columns, mulberry32(7)));
  });
});

describe('prompt budget', () => {
  const wide: SchemaInfo = {
    tables: Array.from({ length: 6 }, (_, i) =>
      table(`table${i}`, ['id', ...Array.from({ length: 12 }, (_, j) => `column_${i}_${j}`)], Object.fromEntries(Array.from({ length: 12 }, (_, j) => [`column_${i}_${j}`, ['a long example value']]))),
    ),
  };
  const chars = { count: (text: string) => text.length, maxTokens: 0 };
  it('keeps a prompt that fits as it is', () => {
    const full = policyPrompt('How many rows has table0?', wide, QUESTION_FIRST_KINDS);
    expect(policyPrompt('How many rows has table0?', wide, QUESTION_FIRST_KINDS, { budget: { ...chars, maxTokens: full.length } })).toBe(full);
  });
  it('drops example values, then the least linked tables, down to one table', () => {
    const full = policyPrompt('Show column_0_1 of table0', wide, QUESTION_FIRST_KINDS);
    const bare = policyPrompt('Show column_0_1 of table0', wide, QUESTION_FIRST_KINDS, { budget: { ...chars, maxTokens: full.length - 1 } });
    expect(bare).not.toContain('a long example value');
    const tiny = policyPrompt('Show column_0_1 of table0', wide, QUESTION_FIRST_KINDS, { budget: { ...chars, maxTokens: 10 } });
    expect(tiny).toContain('# table0:');
    expect(tiny.match(/^# table/gm)).toHaveLength(1);
  });
  it('caps the chain at what the context leaves', () => {
    expect(chainBudget({ contextLength: 640 }, 500, 320)).toBe(140);
    expect(chainBudget({ contextLength: 640 }, 100, 320)).toBe(320);
    expect(chainBudget({}, 900, 320)).toBe(320);
  });
});

describe('value links from the database', () => {
  it('finds the phrases that may be values', () => {
    expect(valuePhrases('How many singers are from France or the United States?')).toEqual(expect.arrayContaining(['france', 'united states', 'united', 'states']));
    expect(valuePhrases("Which courses does 'Data Bases' require?")).toContain('data bases');
    expect(valuePhrases('How many singers are there?')).toEqual([]);
  });
  it('links the columns the database shows hold one, with one query per text column', async () => {
    const rows: Record<string, string[]> = { country: ['France', 'Netherlands', 'Spain', 'Italy'] };
    const asked: string[] = [];
    const run = async (sql: string) => {
      asked.push(sql);
      const hit = /"Country"/.test(sql) && /'france'/.test(sql) && rows.country!.some((v) => v.toLowerCase() === 'france');
      return { ok: true as const, result: { columns: ['1'], rows: hit ? [[1]] : [], totalRows: hit ? 1 : 0, truncated: false, elapsedMs: 0 } };
    };
    const schema: SchemaInfo = { tables: [table('singer', ['Singer_ID', 'Name', 'Country'], { Country: ['Netherlands'] }), table('stadium', ['Stadium_ID', 'Location'])] };
    const values = await valueColumns('List the vocalists from France.', schema, run);
    expect([...values]).toEqual(['singer.country']);
    expect(asked).toHaveLength(3); // Name, Country, Location: text columns only
    const link = linkSchema('List the vocalists from France.', schema, { valueColumns: values });
    expect(link.kinds?.get('singer.country')).toBe('value');
  });
});
