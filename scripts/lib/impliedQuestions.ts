/**
 * Template questions phrased from what a column means and holds rather than from its name, the way Spider-Realistic
 * asks: "the oldest singer" (`ORDER BY Age DESC LIMIT 1`), "albums from after 1990" (`Year > 1990`), "in which year",
 * "singers from France" (`Country = 'France'`), "female students" (`Sex = 'F'`), "list all stadiums" (`SELECT Name`).
 * The column is then found only through the adjective, the value or the question's form, as in the analyst's own
 * words. The adjectives are the rewording rules' (src/core/lexicon/reword.ts ATTRIBUTES), so that the data and
 * `eval --reword implicit` say a column the same way.
 * Only over databases with their real names: "oldest" says `age` only where the column is called age. Never run on
 * dev databases: make-data only passes training databases.
 */
import { ATTRIBUTES } from '../../src/core/lexicon/reword';
import type { SqlValue, TableInfo } from '../../src/core/types';
import type { SpiderExample } from './spider';
import { distinctExamples, plural, singular, words, type SynthDb } from './synthQuestions';

type Rand = () => number;
type Made = { question: string; query: string } | null;
/** Adjectives for a column: [most, least, more, less]. */
type Degrees = [string, string, string, string];
interface Measure {
  table: TableInfo;
  column: string;
  degrees: Degrees;
  /** Years and dates: compared with "after" / "before" rather than the comparative adjectives. */
  temporal: boolean;
  values: SqlValue[];
}

const SIMPLE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TEMPORAL: Degrees = ['most recent', 'earliest', 'later', 'earlier'];
const PLACE = new Set(['country', 'city', 'nationality', 'location', 'state', 'hometown', 'place', 'region', 'nation', 'county', 'town', 'birthplace', 'continent']);
const FIRST_NAME = new Set(['first name', 'fname', 'f name', 'given name']);
const LAST_NAME = new Set(['last name', 'lname', 'l name', 'surname', 'family name']);
const GENDER = new Set(['sex', 'gender']);
/** Values a gender column holds, and how a question says them. */
const GENDER_WORDS: Record<string, string> = { f: 'female', m: 'male', female: 'female', male: 'male', woman: 'female', man: 'male' };

const pick = <T>(xs: readonly T[], rand: Rand): T => xs[Math.floor(rand() * xs.length)]!;
const sqlString = (v: string) => `'${v}'`;
const literal = (v: SqlValue) => (typeof v === 'number' ? String(v) : sqlString(String(v)));
/** A value a question can say in words: letters, spaces and a few marks, not a code. */
const WORDY = /^[A-Za-z][A-Za-z .&-]{2,29}$/;
const YEAR = /^(1[5-9]|20)\d\d$/;
const ISO_DATE = /^\d{4}-\d\d-\d\d/;

export class ImpliedGenerator {
  private readonly tables: TableInfo[];
  private readonly valueCache = new Map<string, SqlValue[]>();

  constructor(private readonly db: SynthDb, private readonly rand: Rand) {
    this.tables = db.tables.filter((t) => t.kind === 'table' && SIMPLE.test(t.name) && t.rowCount > 0);
  }

  private values(t: TableInfo, column: string): SqlValue[] {
    const key = `${t.name}.${column}`;
    let v = this.valueCache.get(key);
    if (!v) {
      v = this.db.rows(`SELECT DISTINCT "${column}" FROM "${t.name}" WHERE "${column}" IS NOT NULL LIMIT 40`).map((r) => r[0]!);
      this.valueCache.set(key, v);
    }
    return v;
  }

  private simpleColumns(t: TableInfo): string[] {
    return t.columns.map((c) => c.name).filter((n) => SIMPLE.test(n));
  }

  /** The column(s) a question means by "which singer": `Name`, `<table>_name`, `Title`, or first and last names. */
  private nameOf(t: TableInfo): string[] | null {
    const fks = new Set(t.foreignKeys.map((f) => f.from.toLowerCase()));
    const cols = this.simpleColumns(t).filter((c) => !fks.has(c.toLowerCase()));
    const first = cols.find((c) => FIRST_NAME.has(words(c)));
    const last = cols.find((c) => LAST_NAME.has(words(c)));
    if (first && last) return [first, last];
    const own = `${singular(words(t.name))} name`;
    const name =
      cols.find((c) => words(c) === 'name') ??
      cols.find((c) => words(c) === own) ??
      cols.find((c) => words(c) === 'title') ??
      cols.find((c) => /\bname$/.test(words(c)) && !FIRST_NAME.has(words(c)) && !LAST_NAME.has(words(c)) && !/\b(middle|user)\b/.test(words(c)));
    return name ? [name] : null;
  }

  /** A year or date of the table's rows themselves (`Year`, `concert_year`), not of something else (`Song_release_year`). */
  private when(t: TableInfo, column: string, kind: 'year' | 'date'): boolean {
    const w = words(column);
    return w === kind || w === `${singular(words(t.name))} ${kind}`;
  }

  /** Numeric columns a comparative adjective can say: ATTRIBUTES' column words, years and ISO dates. */
  private measures(t: TableInfo): Measure[] {
    const out: Measure[] = [];
    for (const column of this.simpleColumns(t)) {
      const ws = words(column).split(' ');
      const values = this.values(t, column);
      if (values.length < 2) continue;
      const attr = ws.find((x) => x in ATTRIBUTES);
      if (attr && values.every((v) => typeof v === 'number')) {
        out.push({ table: t, column, degrees: ATTRIBUTES[attr]!, temporal: false, values });
      } else if (this.when(t, column, 'year') && values.every((v) => YEAR.test(String(v)))) {
        out.push({ table: t, column, degrees: TEMPORAL, temporal: true, values });
      } else if (this.when(t, column, 'date') && values.every((v) => typeof v === 'string' && ISO_DATE.test(v))) {
        out.push({ table: t, column, degrees: TEMPORAL, temporal: true, values });
      }
    }
    return out;
  }

  private measure(): Measure | null {
    const all = this.tables.flatMap((t) => this.measures(t));
    return all.length ? pick(all, this.rand) : null;
  }

  /** A non-key column other than `not` to ask for (`What is the <out> of …`). */
  private outOf(t: TableInfo, not: string[]): string | null {
    const keys = new Set([...t.primaryKey, ...t.foreignKeys.map((f) => f.from)].map((k) => k.toLowerCase()));
    const cs = this.simpleColumns(t).filter((c) => !not.includes(c) && !keys.has(c.toLowerCase()) && !/(^|_)id$/i.test(c));
    return cs.length ? pick(cs, this.rand) : null;
  }

  private readonly templates: Array<() => Made> = [
    // "Which singer is the oldest?" -> the name column, ORDER BY ... LIMIT 1.
    () => {
      const m = this.measure();
      const name = m && this.nameOf(m.table);
      if (!m || !name) return null;
      const s = singular(words(m.table.name));
      const high = this.rand() < 0.6;
      const adj = high ? m.degrees[0] : m.degrees[1];
      return {
        question: pick([`Which ${s} is the ${adj}?`, `Find the ${adj} ${s}.`, `Name the ${adj} ${s}.`], this.rand),
        query: `SELECT ${name.join(' , ')} FROM ${m.table.name} ORDER BY ${m.column} ${high ? 'DESC' : 'ASC'} LIMIT 1`,
      };
    },
    // "What is the capacity of the oldest stadium?"
    () => {
      const m = this.measure();
      const out = m && this.outOf(m.table, [m.column]);
      if (!m || !out) return null;
      const high = this.rand() < 0.6;
      return {
        question: `What is the ${words(out)} of the ${high ? m.degrees[0] : m.degrees[1]} ${singular(words(m.table.name))}?`,
        query: `SELECT ${out} FROM ${m.table.name} ORDER BY ${m.column} ${high ? 'DESC' : 'ASC'} LIMIT 1`,
      };
    },
    // "Which singers are older than 30?" / "How many albums are from after 1990?"
    () => {
      const m = this.measure();
      if (!m) return null;
      const name = this.nameOf(m.table);
      const v = pick(m.values, this.rand);
      const up = this.rand() < 0.5;
      const p = plural(words(m.table.name));
      const said = m.temporal ? `from ${up ? 'after' : 'before'} ${v}` : `${up ? m.degrees[2] : m.degrees[3]} than ${v}`;
      const where = `WHERE ${m.column} ${up ? '>' : '<'} ${literal(v)}`;
      if (name && this.rand() < 0.6) return { question: pick([`Which ${p} are ${said}?`, `List the ${p} ${said}.`], this.rand), query: `SELECT ${name.join(' , ')} FROM ${m.table.name} ${where}` };
      return { question: pick([`How many ${p} are ${said}?`, `Count the ${p} ${said}.`], this.rand), query: `SELECT count(*) FROM ${m.table.name} ${where}` };
    },
    // "List the singers from the oldest to the youngest."
    () => {
      const m = this.measure();
      const name = m && this.nameOf(m.table);
      if (!m || !name) return null;
      const down = this.rand() < 0.5;
      const [a, b] = down ? [m.degrees[0], m.degrees[1]] : [m.degrees[1], m.degrees[0]];
      return { question: `List the ${plural(words(m.table.name))} from the ${a} to the ${b}.`, query: `SELECT ${name.join(' , ')} FROM ${m.table.name} ORDER BY ${m.column}${down ? ' DESC' : ''}` };
    },
    // "In which year was the album Thriller released?" (years and dates, read through the name column).
    () => {
      const ms = this.tables.flatMap((t) => this.measures(t)).filter((x) => x.temporal);
      if (ms.length === 0) return null;
      const m = pick(ms, this.rand);
      const name = this.nameOf(m.table);
      if (!name || name.length > 1) return null;
      const v = pick(this.values(m.table, name[0]!).filter((x) => typeof x === 'string' && WORDY.test(x)), this.rand) as string | undefined;
      if (!v) return null;
      const s = singular(words(m.table.name));
      const when = YEAR.test(String(m.values[0])) ? pick(['In which year', 'What year'], this.rand) : pick(['When', 'On what date'], this.rand);
      return { question: `${when} is the ${s} ${v} dated?`, query: `SELECT ${m.column} FROM ${m.table.name} WHERE ${name[0]} = ${sqlString(v)}` };
    },
    // "How many albums are there per year?"
    () => {
      const ms = this.tables.flatMap((t) => this.measures(t)).filter((x) => x.temporal && YEAR.test(String(x.values[0])));
      if (ms.length === 0) return null;
      const m = pick(ms, this.rand);
      return { question: pick([`How many ${plural(words(m.table.name))} are there in each year?`, `Count the ${plural(words(m.table.name))} per year.`], this.rand), query: `SELECT ${m.column} , count(*) FROM ${m.table.name} GROUP BY ${m.column}` };
    },
    // "Which singers are from France?" / "How many singers are from France?" (place columns, said by the value).
    () => {
      const places = this.tables.flatMap((t) => this.simpleColumns(t).filter((c) => words(c).split(' ').some((w) => PLACE.has(w))).map((c) => ({ t, c })));
      if (places.length === 0) return null;
      const { t, c } = pick(places, this.rand);
      const v = pick(this.values(t, c).filter((x) => typeof x === 'string' && WORDY.test(x)), this.rand) as string | undefined;
      if (!v) return null;
      const p = plural(words(t.name));
      const name = this.nameOf(t);
      const where = `WHERE ${c} = ${sqlString(v)}`;
      if (name && this.rand() < 0.5) return { question: pick([`Which ${p} are from ${v}?`, `List the ${p} in ${v}.`], this.rand), query: `SELECT ${name.join(' , ')} FROM ${t.name} ${where}` };
      return { question: pick([`How many ${p} are from ${v}?`, `How many ${p} are there in ${v}?`], this.rand), query: `SELECT count(*) FROM ${t.name} ${where}` };
    },
    // "What is the age of Joe Sharp?" (the name column, said by its value).
    () => {
      const t = pick(this.tables, this.rand);
      const name = this.nameOf(t);
      if (!name || name.length > 1) return null;
      const out = this.outOf(t, name);
      const v = pick(this.values(t, name[0]!).filter((x) => typeof x === 'string' && WORDY.test(x)), this.rand) as string | undefined;
      if (!out || !v) return null;
      return { question: pick([`What is the ${words(out)} of ${v}?`, `Show the ${words(out)} of the ${singular(words(t.name))} ${v}.`], this.rand), query: `SELECT ${out} FROM ${t.name} WHERE ${name[0]} = ${sqlString(v)}` };
    },
    // "How many students are female?" (gender columns, said by the adjective its value stands for).
    () => {
      const gs = this.tables.flatMap((t) => this.simpleColumns(t).filter((c) => GENDER.has(words(c))).map((c) => ({ t, c })));
      if (gs.length === 0) return null;
      const { t, c } = pick(gs, this.rand);
      const vs = this.values(t, c).filter((x): x is string => typeof x === 'string' && x.toLowerCase() in GENDER_WORDS);
      if (vs.length === 0) return null;
      const v = pick(vs, this.rand);
      const adj = GENDER_WORDS[v.toLowerCase()]!;
      const p = plural(words(t.name));
      const name = this.nameOf(t);
      if (name && this.rand() < 0.5) return { question: `List the ${adj} ${p}.`, query: `SELECT ${name.join(' , ')} FROM ${t.name} WHERE ${c} = ${sqlString(v)}` };
      return { question: pick([`How many ${adj} ${p} are there?`, `How many ${p} are ${adj}?`], this.rand), query: `SELECT count(*) FROM ${t.name} WHERE ${c} = ${sqlString(v)}` };
    },
    // "List all stadiums." -> the name column.
    () => {
      const t = pick(this.tables, this.rand);
      const name = this.nameOf(t);
      if (!name) return null;
      const p = plural(words(t.name));
      if (this.rand() < 0.3) return { question: `List the ${p} in alphabetical order.`, query: `SELECT ${name.join(' , ')} FROM ${t.name} ORDER BY ${name.join(' , ')}` };
      return { question: pick([`List all ${p}.`, `Show every ${singular(words(t.name))}.`, `What ${p} are there?`], this.rand), query: `SELECT ${name.join(' , ')} FROM ${t.name}` };
    },
  ];

  /** Up to `n` distinct examples (fewer when the database has nothing these templates can say). */
  generate(n: number): SpiderExample[] {
    return this.tables.length === 0 ? [] : distinctExamples(this.db.dbId, this.templates, this.rand, n, 8);
  }
}
