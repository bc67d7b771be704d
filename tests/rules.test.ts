import { describe, expect, it } from 'vitest';
import { literalRule, QuestionValues } from '../src/core/rules/literalRule';
import { numberRule, questionNumbers } from '../src/core/rules/numberRule';
import { PrefixChecker } from '../src/core/sqlcheck/checker';
import type { TokenRule } from '../src/core/tokenRules';
import type { SchemaInfo } from '../src/core/types';

const schema: SchemaInfo = {
  tables: [
    { name: 'singer', kind: 'table', columns: [col('Singer_ID'), col('Name'), col('Age')], primaryKey: ['Singer_ID'], foreignKeys: [], rowCount: 6 },
    { name: 'concert', kind: 'table', columns: [col('concert_ID'), col('Year')], primaryKey: ['concert_ID'], foreignKeys: [], rowCount: 6 },
  ],
};
const checker = new PrefixChecker(schema);

function col(name: string, examples: string[] = []) {
  return { name, type: 'text', notNull: false, pk: 0, examples };
}

/** The token texts of `words` that `rule` allows after `text`. */
function allowed(rule: TokenRule, words: string[], text: string): string[] {
  const test = rule.test(text);
  return words.filter((w) => !test || test(w));
}

const literals = (question: string, examples: string[] = []) => literalRule(checker, new QuestionValues(question, examples));

describe('literal rule', () => {
  it("keeps a string literal to the question's values or the schema's example values", () => {
    const r = literals('Which singers are called Bobby?');
    expect(allowed(r, ["by'", 'x'], "SELECT * FROM singer WHERE Name = 'Bob")).toEqual(["by'"]);
    expect(allowed(r, [" 'Bob", " 'Al"], 'SELECT * FROM singer WHERE Name =')).toEqual([" 'Bob"]);
    expect(allowed(r, ["by'"], "SELECT * FROM singer WHERE Name LIKE '%Bob")).toEqual(["by'"]);
    expect(allowed(literals('Which singers are called Bobby?', ['bobx']), ['x'], "SELECT * FROM singer WHERE Name = 'Bob")).toEqual(['x']);
    expect(QuestionValues.examplesOf({ tables: [{ ...schema.tables[0]!, columns: [col('Name', ['Bobx'])] }] })).toEqual(['bobx']);
  });

  it("may drop the question's spaces ('NorthCarolina') but adds none of its own", () => {
    expect(allowed(literals('Who lives in North Carolina?'), ["Carolina'"], "SELECT * FROM singer WHERE Name = 'North")).toEqual(["Carolina'"]);
    const spaced = literals('Who lives in NorthCarolina?');
    expect(allowed(spaced, ['th', 'th Caro'], "SELECT * FROM singer WHERE Name = 'Nor")).toEqual(['th']);
  });

  it('starts a value where a word of the question starts and ends it where one ends (unless a wildcard is next to it)', () => {
    const r = literals('How many concerts occurred in 2014?');
    expect(allowed(r, [" '20", " 'Cur"], 'SELECT * FROM concert WHERE Year =')).toEqual([" '20"]);
    expect(allowed(r, ['14'], "SELECT * FROM concert WHERE Year LIKE '%")).toEqual(['14']);
    const bob = literals('Which singers are called Bobby?');
    expect(allowed(bob, ["'"], "SELECT * FROM singer WHERE Name = 'Bob")).toEqual([]);
    expect(allowed(bob, ["'"], "SELECT * FROM singer WHERE Name = 'Bobby")).toEqual(["'"]);
    expect(allowed(bob, ["%'"], "SELECT * FROM singer WHERE Name LIKE 'Bob")).toEqual(["%'"]);
    // A literal closed inside the token is judged too, and what follows it is not a literal.
    expect(allowed(bob, ["' AND Age > 1", "by' AND Age > 1"], "SELECT * FROM singer WHERE Name = 'Bob")).toEqual(["by' AND Age > 1"]);
  });

  it('lets a value go on through a character still being written (U+FFFD of a partial byte sequence), judged when done', () => {
    const v = new QuestionValues('Which singers live in 東京?', []);
    expect(v.ok('東\uFFFD', false)).toBe(true);
    expect(v.ok('\uFFFD', false)).toBe(true);
    expect(v.ok('東京', true)).toBe(true);
    expect(v.ok('東\uFFFD', true)).toBe(false);
    expect(v.ok('x\uFFFD', false)).toBe(false);
  });

  it('writes no repeated LIKE wildcard', () => {
    const r = literals('Which singers are called Bob?');
    expect(allowed(r, ['%', '%%'], "SELECT * FROM singer WHERE Name LIKE '%Bob")).toEqual(['%']);
    expect(allowed(r, ['%'], "SELECT * FROM singer WHERE Name LIKE '%Bob%")).toEqual([]);
  });
});

describe('number rule', () => {
  it('writes only numbers the question asks for: digits or words, minus one, and 0 and 1', () => {
    const nums = questionNumbers('How many singers older than 2.5 sang in 2014 or in ten concerts?');
    expect(nums).toEqual(expect.arrayContaining(['0', '1', '2.5', '2014', '2013', '10', '9']));
    expect(questionNumbers('Which city has more than 1,000 people?')).toContain('1000');
    expect(questionNumbers('Who sang twice?')).toContain('2');
    const r = numberRule(checker, nums);
    const where = 'SELECT * FROM singer WHERE Age >';
    expect(allowed(r, [' 2014', ' 20', ' 2', ' 10', ' 9', ' 1', ' 3'], where)).toEqual([' 2014', ' 20', ' 2', ' 10', ' 9', ' 1']);
    expect(allowed(r, ['14', '15'], `${where} 20`)).toEqual(['14']);
    expect(allowed(r, ['5', '7'], `${where} 2.`)).toEqual(['5']);
    // A number the token ends must be whole: `20` of 2014 is a beginning, not a number the question gives.
    expect(allowed(r, [' AND Age < 1', ''], `${where} 20`)).toEqual([]);
    // T1. is a qualifier, not the whole part of a decimal.
    expect(allowed(r, ['Age'], 'SELECT T1.')).toEqual(['Age']);
  });
});

describe('what the prefix checker took over from the name rule', () => {
  const admits = (text: string, token: string) => checker.admits(text, token);

  it('writes no comment, no blank line, no run of spaces and nothing beyond ASCII outside quotes', () => {
    expect(admits('SELECT * FROM singer', ' --')).toBe(false);
    expect(admits('SELECT * FROM singer', ' /*')).toBe(false);
    expect(admits('SELECT Age', ' -')).toBe(true);
    expect(admits('SELECT Age', ' *')).toBe(true);
    expect(admits('SELECT Name FROM singer', '\n\n')).toBe(false);
    expect(admits('SELECT Name FROM singer', '  ')).toBe(false);
    expect(admits('SELECT Name FROM singer', '\nWHERE')).toBe(true);
    expect(admits('SELECT Name FROM singer WHERE Name =', ' \u2026')).toBe(false);
    expect(admits("SELECT Name FROM singer WHERE Name = '", '\u2026')).toBe(true);
  });

  it('keeps qualifiers in scope, with no space after the dot', () => {
    expect(admits('SELECT Name FROM singer AS T1 WHERE', ' T2.')).toBe(false);
    expect(admits('SELECT Name FROM singer AS T1 WHERE', ' T1.')).toBe(true);
    expect(admits('SELECT Name FROM singer AS T1 WHERE T1.', ' Name')).toBe(false);
  });

  it('does not end a FROM clause while the select list uses an alias or a column no source has', () => {
    expect(admits('SELECT T1.Name, T2.Year FROM singer AS T1', ' WHERE')).toBe(false);
    expect(admits('SELECT T1.Name, T2.Year FROM singer AS T1', '')).toBe(false);
    expect(admits('SELECT T1.Name, T2.Year FROM singer AS T1', ' JOIN')).toBe(true);
    expect(admits('SELECT Name, Year FROM singer', ' WHERE')).toBe(false);
    expect(admits('SELECT Name, Age FROM singer', ' WHERE')).toBe(true);
    expect(admits('SELECT T1.Name, T2.Year FROM singer AS T1 JOIN concert AS T2 ON T1.Singer_ID = T2.concert_ID', ' WHERE')).toBe(true);
  });

  it('writes each clause of a SELECT once, in order, and SELECT again only after a set operator or `(`', () => {
    expect(admits('SELECT Name FROM singer', ' WHERE')).toBe(true);
    expect(admits('SELECT Name FROM singer WHERE Age > 3 ORDER BY Age', ' WHERE')).toBe(false);
    expect(admits('SELECT Name FROM singer WHERE Age > 3', ' FROM')).toBe(false);
    expect(admits('SELECT Name FROM singer WHERE Age > 3 LIMIT 1', ' limit')).toBe(false);
    expect(admits('SELECT Name FROM singer WHERE Age > 3', ' limit')).toBe(true);
    expect(admits('SELECT Name FROM singer', ' SELECT')).toBe(false);
    expect(admits('SELECT Name FROM singer UNION', ' SELECT')).toBe(true);
    expect(admits('SELECT Name FROM singer WHERE Age IN (', 'SELECT')).toBe(true);
  });
});
