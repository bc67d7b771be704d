/**
 * Queries a person would write over an odd schema (oddSchemaGen.ts), in Spider's style and quoted as SQLite must
 * read them (catalog.ts sqlName): a count, a filter on a text value, a GROUP BY, aggregates with a numeric filter,
 * a join on the foreign key, a scalar subquery, ORDER BY … LIMIT, EXCEPT, a view, the NULL-only and generated
 * columns. Each comes with a question that says its numbers and values, as the constraint's literal and number
 * rules want them said.
 */
import { sqlName } from '../../../src/core/sqlcheck/catalog';
import type { SchemaInfo, SqlValue } from '../../../src/core/types';
import type { Rng } from './common';
import type { OddDatabase, OddTable, Role } from './oddSchemaGen';

export interface GoldQuery {
  sql: string;
  question: string;
}

export function goldQueries(odd: OddDatabase, schema: SchemaInfo, rng: Rng): GoldQuery[] {
  const out: GoldQuery[] = [];
  const n = sqlName;
  const examples = (t: OddTable, col: string): SqlValue[] => schema.tables.find((x) => x.name === t.name)?.columns.find((c) => c.name === col)?.examples ?? [];
  const role = (t: OddTable, r: Role) => t.columns.find((c) => c.role === r)?.name;
  const say = (sql: string, words: (string | number)[]) => out.push({ sql, question: `Show ${words.join(' ')}.` });
  for (const t of odd.tables) {
    const T = n(t.name);
    const pk = role(t, 'pk')!;
    const text = role(t, 'text');
    const num = role(t, 'num');
    if (role(t, 'blob')) {
      say(`SELECT length(${n(role(t, 'blob')!)}) FROM ${T}`, ['the length of', role(t, 'blob')!, 'in', t.name]);
      continue;
    }
    say(`SELECT count(*) FROM ${T}`, ['how many', t.name]);
    if (text && num) {
      const value = examples(t, text).find((v): v is string => typeof v === 'string' && !v.includes('\n'));
      if (value !== undefined) {
        const lit = `'${value.replace(/'/g, "''")}'`;
        say(`SELECT ${n(pk)}, ${n(num)} FROM ${T} WHERE ${n(text)} = ${lit}`, [pk, num, 'of', t.name, 'whose', text, 'is', `"${value}"`]);
      }
      say(`SELECT ${n(text)}, count(*) FROM ${T} GROUP BY ${n(text)}`, ['each', text, 'of', t.name, 'and how many']);
      const k = rng.range(1, 99);
      say(`SELECT sum(${n(num)}), avg(${n(num)}) FROM ${T} WHERE ${n(num)} > ${k}`, ['the total and average', num, 'of', t.name, 'above', k]);
      say(`SELECT ${n(text)} FROM ${T} WHERE ${n(num)} > (SELECT avg(${n(num)}) FROM ${T})`, [text, 'of', t.name, 'with', num, 'above average']);
      const lim = rng.range(1, 5);
      say(`SELECT ${n(text)} FROM ${T} ORDER BY ${n(num)} DESC LIMIT ${lim}`, ['the', lim, text, 'of', t.name, 'with the largest', num]);
      say(`SELECT ${n(pk)} FROM ${T} EXCEPT SELECT ${n(pk)} FROM ${T} WHERE ${n(num)} > ${k}`, [pk, 'of', t.name, 'except those with', num, 'above', k]);
    }
    const nul = role(t, 'null');
    if (nul) say(`SELECT count(${n(nul)}) FROM ${T}`, ['how many', t.name, 'have', nul]);
    const gen = role(t, 'generated');
    if (gen) say(`SELECT ${n(pk)}, ${n(gen)} FROM ${T} WHERE ${n(gen)} > 10`, [pk, 'and', gen, 'of', t.name, 'with', gen, 'above', 10]);
    const fk = role(t, 'fk');
    const parent = odd.tables.find((p) => p.name === t.parent);
    if (fk && parent) {
      const ptext = role(parent, 'text')!;
      say(
        `SELECT T1.${n(ptext)}, T2.${n(role(t, 'text')!)} FROM ${n(parent.name)} AS T1 JOIN ${T} AS T2 ON T1.${n(role(parent, 'pk')!)} = T2.${n(fk)}`,
        [ptext, 'of', parent.name, 'with the', role(t, 'text')!, 'of their', t.name],
      );
      say(
        `SELECT T1.${n(ptext)}, count(*) FROM ${n(parent.name)} AS T1 JOIN ${T} AS T2 ON T1.${n(role(parent, 'pk')!)} = T2.${n(fk)} GROUP BY T1.${n(ptext)}`,
        ['each', ptext, 'of', parent.name, 'and how many', t.name],
      );
    }
  }
  for (const v of odd.views) say(`SELECT count(*) FROM ${n(v.name)}`, ['how many', v.name]);
  return out;
}
