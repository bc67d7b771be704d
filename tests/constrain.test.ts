import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { normalizeTrajectory, printWithoutNotes } from '../src/core/cocte';
import { IdentifierConstraint, tokenTexts } from '../src/core/constrain';
import { decomposeSql } from '../src/core/decompose';
import { normalizeSql, schemaNameTest } from '../src/core/sqlFormat';
import { loadTokenizer } from '../src/core/tokenizer';
import type { SchemaInfo } from '../src/core/types';
import { fixtureEngine } from './helpers';

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
const vocab = [
  'SELECT', ' name', ' nam', 'e', ' FROM', ' singers', ' singer', ' concert', 'x', ' WHERE', " 'Bob", "by'", ' age', ' s1', ' T2', '.Name',
  ' count_all', ' salary', '_2', ' 42', ' s2', 'Year', 'Name', 'concert_ID', ' DESC', ' desc', ' deSc', ' ROunD_8', ' sin', ' Name_2',
  ' sINGer', ' limit', ' like', ' Singer_id', ' Year', ' T1', ' Age',
];

function allowed(text: string): string[] {
  return allowedBy(new IdentifierConstraint(schema, vocab, vocab.length), vocab, text);
}

/** The tokens of `words` that constraint `c` leaves unmasked after `text`. */
function allowedBy(c: IdentifierConstraint, words: string[], text: string): string[] {
  const logits = new Float32Array(words.length).fill(0);
  c.apply(text, logits);
  return words.filter((_, i) => logits[i] !== -Infinity);
}

describe('IdentifierConstraint', () => {
  it('never lets the model write a name the schema does not have', () => {
    const ok = allowed('SELECT name,');
    expect(ok).toContain(' name');
    expect(ok).not.toContain(' singers');
    expect(ok).not.toContain(' salary');
    expect(ok).toContain(' T2');
    expect(ok).toContain(' 42');
    // A derived name exists only once a CTE outputs it.
    expect(ok).not.toContain(' count_all');
    expect(allowed('WITH s1 AS (SELECT name, count(*) AS count_all FROM singer GROUP BY name) SELECT name,')).toContain(' count_all');
  });

  it('reads only from tables and from CTEs the chain has finished', () => {
    const ok = allowed('SELECT count(*) FROM');
    expect(ok).toEqual(expect.arrayContaining([' singer', ' concert', ' sin']));
    for (const no of [' singers', ' name', ' count_all', ' 42', ' s1', ' s2']) expect(ok).not.toContain(no);
    const chain = 'WITH\n  s1 AS (\n    SELECT name FROM singer\n  ),\n  s2 AS (\n    SELECT * FROM';
    expect(allowed(chain)).toContain(' s1');
    expect(allowed(chain)).not.toContain(' s2');
    expect(allowed('WITH s1 AS (SELECT name FROM singer), s2 AS (SELECT * FROM s1) SELECT * FROM')).toEqual(
      expect.arrayContaining([' s1', ' s2', ' singer']),
    );
  });

  it("after an alias's dot, allows only that table's columns", () => {
    const ok = allowed('SELECT T1.Name FROM singer AS T1 JOIN concert AS T2 ON T2.');
    expect(ok).toEqual(expect.arrayContaining(['Year', 'concert_ID']));
    expect(ok).not.toContain('Name');
    expect(allowed('SELECT T1.Name FROM singer AS T1 JOIN concert AS T2 ON T1.')).toContain('Name');
    expect(allowed('SELECT singer.')).toContain('Name');
    expect(allowed('SELECT singer.')).not.toContain('Year');
    // Before FROM names the alias, or when it names a CTE, the columns are not known: any name.
    expect(allowed('SELECT T2.')).toEqual(expect.arrayContaining(['Year', 'Name']));
    expect(allowed('WITH s1 AS (SELECT Name FROM singer) SELECT T1.Name FROM s1 AS T1 WHERE T1.')).toContain('Name');
  });

  it('writes keywords in one case and numbers only names', () => {
    const ok = allowed('SELECT name FROM singer ORDER BY age');
    expect(ok).toEqual(expect.arrayContaining([' DESC', ' desc']));
    const numbered = 'WITH s1 AS (SELECT T1.Name, T2.Name AS Name_2 FROM singer AS T1 JOIN singer AS T2) SELECT * FROM s1 ORDER BY Name';
    expect(allowed(numbered)).toEqual(expect.arrayContaining([' DESC', ' Name_2']));
    expect(ok).not.toContain(' deSc');
    expect(ok).not.toContain(' ROunD_8');
    // A name in a case the schema never uses is another name; Spider's own variants (Singer_id for Singer_ID) are fine.
    expect(allowed('SELECT')).not.toContain(' sINGer');
    expect(allowed('SELECT')).toContain(' Singer_id');
    // After AS the model names its own column: any name.
    expect(allowed('SELECT count(*) AS')).toContain(' salary');
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
    expect(allowed('WITH s1 AS (SELECT T1.Name, T2.Name AS Name_2 FROM singer AS T1 JOIN singer AS T2) SELECT name')).toContain('_2');
    expect(allowed('SELECT name')).not.toContain('_2');
  });

  it('leaves string literals free', () => {
    expect(allowed("SELECT * FROM singer WHERE Name = 'Bo")).toContain('x');
    expect(allowed("SELECT * FROM singer WHERE Name = 'Bob'")).not.toContain('x');
  });



});

describe('IdentifierConstraint, SQL shape', () => {
  it('lets a table name stand outside FROM only as a qualifier (singer.Name)', () => {
    expect(allowed('SELECT singer')).toContain('.Name');
    expect(allowed('SELECT singer')).not.toContain(' FROM');
    expect(allowed('SELECT name FROM singer,')).toContain(' concert');
    expect(allowed('SELECT name FROM singer,')).not.toContain(' name');
  });

  it('does not start an operand with a keyword that cannot (WHERE limit, count(DISTINCT like))', () => {
    const ok = allowed('SELECT count(*) FROM singer WHERE');
    expect(ok).toEqual(expect.arrayContaining([' age', ' name']));
    expect(ok).not.toContain(' limit');
    expect(ok).not.toContain(' like');
    expect(allowed('SELECT count(*) FROM singer WHERE name')).toContain(' like');
    expect(allowed('SELECT count(*) FROM singer ORDER BY age')).toContain(' limit');
  });
});

describe('IdentifierConstraint, names in scope', () => {
  it('reads FROM a source that has the columns the select list wrote', () => {
    const ok = allowed('SELECT avg(Age) FROM');
    expect(ok).toContain(' singer');
    expect(ok).not.toContain(' concert');
    // Nothing written yet, or columns no source has: every source.
    expect(allowed('SELECT count(*) FROM')).toEqual(expect.arrayContaining([' singer', ' concert']));
  });

  it('after FROM, a column must belong to a source (or be an output name)', () => {
    const ok = allowed('SELECT Name FROM singer WHERE');
    expect(ok).toEqual(expect.arrayContaining([' age', ' name', ' Age']));
    expect(ok).not.toContain(' Year');
    expect(allowed('SELECT Name FROM singer AS T1 WHERE T1')).toContain('.Name');
    expect(allowed('SELECT Name FROM singer AS T1 WHERE T1.')).toContain('Name');
    expect(allowed('SELECT Name, count(*) AS count_all FROM singer GROUP BY Name ORDER BY')).toContain(' count_all');
  });

  it("knows a finished CTE's output columns, through SELECT * and AS", () => {
    const chain = 'WITH s1 AS (SELECT Name, count(*) AS count_all FROM singer GROUP BY Name), s2 AS (SELECT * FROM s1 WHERE';
    expect(allowed(chain)).toEqual(expect.arrayContaining([' name', ' count_all']));
    expect(allowed(chain)).not.toContain(' age');
    expect(allowed('WITH s1 AS (SELECT Name FROM singer) SELECT * FROM s1 AS T1 WHERE T1.')).toContain('Name');
    expect(allowed('WITH s1 AS (SELECT Name FROM singer) SELECT * FROM s1 AS T1 WHERE T1.')).not.toContain('Year');
  });

  it('reads FROM a table that has T1\'s columns when the select list qualifies with T1 (a foreign key is not enough)', () => {
    const pets: SchemaInfo = {
      tables: [
        { name: 'Student', kind: 'table', columns: [col('StuID'), col('Fname'), col('Age')], primaryKey: ['StuID'], foreignKeys: [], rowCount: 3 },
        { name: 'Has_Pet', kind: 'table', columns: [col('StuID'), col('PetID')], primaryKey: [], foreignKeys: [{ from: 'StuID', table: 'Student', to: 'StuID' }], rowCount: 3 },
      ],
    };
    const words = ['SELECT', ' Student', ' Has_Pet', ' T1', '.Fname', ',', ' Fname', ' Age', '.Age', ' FROM'];
    const ok = (text: string) => allowedBy(new IdentifierConstraint(pets, words, words.length), words, text);
    expect(ok('SELECT T1.Fname, T1.Age FROM')).toContain(' Student');
    expect(ok('SELECT T1.Fname, T1.Age FROM')).not.toContain(' Has_Pet');
    // Unqualified columns may come through a join that follows: Has_Pet reaches Student's columns.
    expect(ok('SELECT Fname, Age FROM')).toEqual(expect.arrayContaining([' Student', ' Has_Pet']));
  });


  it('joins as the k-th source a table that has Tk\'s columns itself when one does (not a bridge to it)', () => {
    const cars: SchemaInfo = {
      tables: [
        { name: 'car_makers', kind: 'table', columns: [col('Id'), col('FullName')], primaryKey: ['Id'], foreignKeys: [], rowCount: 3 },
        { name: 'model_list', kind: 'table', columns: [col('ModelId'), col('Maker'), col('Model')], primaryKey: ['ModelId'], foreignKeys: [{ from: 'Maker', table: 'car_makers', to: 'Id' }], rowCount: 3 },
        { name: 'car_names', kind: 'table', columns: [col('MakeId'), col('Model')], primaryKey: ['MakeId'], foreignKeys: [{ from: 'Model', table: 'model_list', to: 'Model' }], rowCount: 3 },
      ],
    };
    const words = ['SELECT', ' car_makers', ' model_list', ' car_names', ' T1', ' T2', '.FullName', '.Maker', ',', ' FROM', ' AS', ' JOIN'];
    const ok = (text: string) => allowedBy(new IdentifierConstraint(cars, words, words.length), words, text);
    const head = 'SELECT T1.FullName, T2.Maker FROM car_makers AS T1 JOIN';
    expect(ok(head)).toContain(' model_list');
    // car_names reaches Maker through a foreign key, but T2 could not then be its alias.
    expect(ok(head)).not.toContain(' car_names');
    // No table has the columns itself: any source that reaches them, as before.
    expect(ok('SELECT T1.FullName, T2.FullName, T2.Model FROM car_makers AS T1 JOIN')).toEqual(expect.arrayContaining([' model_list', ' car_names']));
  });
  it('writes no COLLATE and no long table alias (both were loops of a lost model)', () => {
    const v = [...vocab, ' collate', ' COLLATE', ' T1', ' t2ates_in_id'];
    const c = new IdentifierConstraint(schema, v, v.length);
    expect(allowedBy(c, v, 'SELECT Name FROM singer ORDER BY Name')).not.toContain(' collate');
    expect(allowedBy(c, v, 'SELECT Name FROM singer ORDER BY Name')).not.toContain(' COLLATE');
    expect(allowedBy(c, v, 'SELECT Name FROM singer AS')).toContain(' T1');
    expect(allowedBy(c, v, 'SELECT Name FROM singer AS')).not.toContain(' t2ates_in_id');
  });

  it('does not join a table only to itself unless it has a foreign key to itself', () => {
    expect(allowed('SELECT T1.Name FROM singer AS T1 JOIN')).not.toContain(' singer');
    expect(allowed('SELECT T1.Name FROM singer AS T1 JOIN')).toContain(' concert');
    const staff: SchemaInfo = {
      tables: [{ name: 'employees', kind: 'table', columns: [col('id'), col('reports_to')], primaryKey: ['id'], foreignKeys: [{ from: 'reports_to', table: 'employees', to: 'id' }], rowCount: 3 }],
    };
    const words = [' employees', ' singer'];
    const c = new IdentifierConstraint(staff, words, words.length);
    expect(allowedBy(c, words, 'SELECT T2.id FROM employees AS T1 JOIN')).toContain(' employees');
  });

  it("does not give an alias to a table that lacks the alias's columns", () => {
    expect(allowed('SELECT T1.Name FROM singer AS T1')).toContain(' WHERE');
    expect(allowed('SELECT T2.Year FROM singer AS T2')).not.toContain(' WHERE');
    expect(allowed('SELECT T1.Name FROM singer AS T1 JOIN concert AS T1')).not.toContain(' WHERE');
    // The alias the select list already used for this table's columns, not a made-up one.
    expect(allowed('SELECT T2.Name, T1.Year FROM singer AS')).toContain(' T2');
    expect(allowed('SELECT T2.Name, T1.Year FROM singer AS')).not.toContain(' T1');
    expect(allowed('SELECT T2.Name, T1.Year FROM singer AS T2 JOIN')).toContain(' concert');
    expect(allowed('SELECT T2.Name, T1.Year FROM singer AS T2 JOIN')).not.toContain(' singer');
  });

});

describe('IdentifierConstraint with the embedded tokenizer', () => {
  it('reads keywords outside quotes only: after a column "from" and a comma comes the select list, not a table', () => {
    const odd: SchemaInfo = {
      tables: [{ name: 'orders', kind: 'table', columns: [col('id'), col('from'), col('qty')], primaryKey: ['id'], foreignKeys: [], rowCount: 1 }],
    };
    const words = [' count(', ' qty,', ' orders ', ' orders,'];
    const c = new IdentifierConstraint(odd, words, words.length);
    expect(allowedBy(c, words, 'SELECT "from",')).toEqual([' count(', ' qty,']);
    expect(allowedBy(c, words, 'SELECT qty FROM orders AS T1,')).toEqual([' orders ', ' orders,']);
  });

  it('admits every gold chain of the Spider dev sample (a correct answer is never masked)', async () => {
    const tok = loadTokenizer(
      JSON.parse(readFileSync('models/policy/tokenizer.json', 'utf8')),
      JSON.parse(readFileSync('models/policy/tokenizer_config.json', 'utf8')),
    );
    const texts = tokenTexts(tok.decode, JSON.parse(readFileSync('models/policy/config.json', 'utf8')).vocab_size);
    const sample = JSON.parse(readFileSync('tests/fixtures/spider-dev-sample.json', 'utf8')) as { db_id: string; query: string }[];
    let checked = 0;
    for (const db of ['concert_singer', 'pets_1']) {
      const schema = (await fixtureEngine(`${db}.sqlite`)).schema();
      const c = new IdentifierConstraint(schema, texts);
      for (const ex of sample.filter((x) => x.db_id === db)) {
        const chain = printWithoutNotes(normalizeTrajectory(decomposeSql(normalizeSql(ex.query, schemaNameTest(schema)), schema)));
        expect(c.firstBlocked(tok.encode(chain)), chain).toBe(-1);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });
});
