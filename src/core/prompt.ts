/**
 * The policy's prompt: a serialized (linked, pruned) schema and the question. The CoCTE answer follows the prompt.
 * This is the embedded model's format; a model brought from the Hub gets a chat or completion prompt around the same
 * schema text (src/core/promptTemplates.ts, through `PromptFormat.render`).
 */
import type { SchemaLink } from './schemaLink';
import { sqlName } from './sqlcheck/catalog';
import type { SchemaInfo, SqlValue } from './types';

export interface PromptOptions {
  examplesPerColumn?: number;
  maxValueChars?: number;
  /** How column names are written (see `PromptFormat.names`); default 'attached'. */
  names?: NameStyle;
  /** How linked columns are marked (see `PromptFormat.links`); default 'star'. */
  links?: LinkMarks;
}

/**
 * `star`: every linked column is marked `*` (policy runs 1–9). `kinds`: `*` for a column the question names or
 * whose value it quotes, `~` for one it names in other words (a synonym, a near concept, an abbreviation; see
 * src/core/schemaLink.ts), as RAT-SQL tells exact, partial and value links apart.
 */
export type LinkMarks = 'star' | 'kinds';

/**
 * `attached`: `# table(col TYPE PK, *col TYPE = ex1 | ex2, …)`, the format of policy runs 1–6.
 * `spaced`: `# table: col TYPE PK, col* TYPE = ex1 | ex2, …`. Every column name follows a space, as it does in the
 * SQL the model writes (`SELECT Airline,`), so the byte-level BPE gives it the same tokens in the prompt and in the
 * answer (` A` `ir` `line`, not `A` `ir` `line` after `(` or `*`): copying a name is then a plain token copy.
 */
export type NameStyle = 'attached' | 'spaced';

/**
 * Schema lines (see `NameStyle`) plus foreign keys; linked columns are marked (see `LinkMarks`). Names are written as
 * the SQL must write them (`"Order Items"`, `"unit price"`, `"select"`; sqlcheck/catalog.ts sqlName), so that copying
 * one from the prompt gives valid SQL.
 */
export function serializeSchema(schema: SchemaInfo, link?: SchemaLink, opts: PromptOptions = {}): string {
  const spaced = opts.names === 'spaced';
  const k = opts.examplesPerColumn ?? 2;
  const maxChars = opts.maxValueChars ?? 20;
  const keep = link ? new Set(link.tables.map((t) => t.toLowerCase())) : null;
  const lines: string[] = [];
  const fks: string[] = [];
  for (const t of schema.tables) {
    if (keep && !keep.has(t.name.toLowerCase())) continue;
    const cols = t.columns.map((c) => {
      const key = `${t.name}.${c.name}`.toLowerCase();
      const linked = !link?.columns.has(key) ? '' : opts.links === 'kinds' && link.kinds?.get(key) === 'meaning' ? '~' : '*';
      const pk = c.pk > 0 ? ' PK' : '';
      const ex = c.examples
        .slice(0, k)
        .map((v) => valueText(v, maxChars))
        .join(' | ');
      const name = spaced ? `${sqlName(c.name)}${linked}` : `${linked}${sqlName(c.name)}`;
      return `${name} ${shortType(c.type)}${pk}${ex ? ` = ${ex}` : ''}`;
    });
    const table = sqlName(t.name);
    lines.push(spaced ? `# ${table}: ${cols.join(', ')}` : `# ${table}(${cols.join(', ')})`);
    for (const f of t.foreignKeys) if (!keep || keep.has(f.table.toLowerCase())) fks.push(`# ${table}.${sqlName(f.from)} -> ${sqlName(f.table)}.${sqlName(f.to || f.from)}`);
  }
  return [...lines, ...fks].join('\n');
}

function shortType(type: string): string {
  const t = type.toLowerCase();
  if (/int/.test(t)) return 'int';
  if (/char|text|clob|string/.test(t)) return 'text';
  if (/real|floa|doub|num|dec/.test(t)) return 'real';
  if (/date|time/.test(t)) return 'date';
  if (t === '') return 'any';
  return t.replace(/\(.*$/, '');
}

function valueText(v: SqlValue, max: number): string {
  if (v === null) return 'NULL';
  if (v instanceof Uint8Array) return '<blob>';
  const s = String(v).replace(/\s+/g, ' ');
  return s.length > max ? s.slice(0, max) + '…' : s;
}

/**
 * How a model's prompt is laid out; a model folder declares it in `config.json` as `cocte_prompt` (models without it
 * get `SCHEMA_FIRST`, the format of the first embedded models).
 * - `schema-first`: schema lines, then `-- question`.
 * - `question-first`: `-- question`, then the schema lines. In a causal model the schema tokens then "see" the
 *   question, so the representation of every table and column can already say whether the question is about it.
 */
export interface PromptFormat {
  order: 'schema-first' | 'question-first';
  examplesPerColumn: number;
  /** How column names are written (absent: 'attached'). */
  names?: NameStyle;
  /** How linked columns are marked (absent: 'star'). */
  links?: LinkMarks;
  /**
   * Builds the whole prompt from the question and the schema text, for models not trained on this layout (a chat
   * template or a completion prompt, src/core/promptTemplates.ts). Absent: `order` decides.
   */
  render?: (question: string, schemaText: string) => string;
}

export const SCHEMA_FIRST: PromptFormat = { order: 'schema-first', examplesPerColumn: 2 };
export const QUESTION_FIRST: PromptFormat = { order: 'question-first', examplesPerColumn: 1 };
export const QUESTION_FIRST_SPACED: PromptFormat = { order: 'question-first', examplesPerColumn: 1, names: 'spaced' };
export const QUESTION_FIRST_KINDS: PromptFormat = { ...QUESTION_FIRST_SPACED, links: 'kinds' };

/** The format a model folder's config declares (`cocte_prompt: { order, examples_per_column, names, links }`). */
export function promptFormatOf(config: { cocte_prompt?: { order?: string; examples_per_column?: number; names?: string; links?: string } }): PromptFormat {
  const p = config.cocte_prompt;
  if (!p) return SCHEMA_FIRST;
  if (p.order !== 'schema-first' && p.order !== 'question-first') throw new Error(`Unknown cocte_prompt.order "${p.order}" in the model's config.json.`);
  if (p.names !== undefined && p.names !== 'attached' && p.names !== 'spaced') throw new Error(`Unknown cocte_prompt.names "${p.names}" in the model's config.json.`);
  if (p.links !== undefined && p.links !== 'star' && p.links !== 'kinds') throw new Error(`Unknown cocte_prompt.links "${p.links}" in the model's config.json.`);
  const format: PromptFormat = { order: p.order, examplesPerColumn: p.examples_per_column ?? SCHEMA_FIRST.examplesPerColumn };
  if (p.names === 'spaced') format.names = 'spaced';
  if (p.links === 'kinds') format.links = 'kinds';
  return format;
}

/** The schema serialization options of a prompt format. */
export function schemaOptions(format: PromptFormat): PromptOptions {
  return { examplesPerColumn: format.examplesPerColumn, ...(format.names ? { names: format.names } : {}), ...(format.links ? { links: format.links } : {}) };
}

/** The text the policy continues. */
export function buildPrompt(question: string, schemaText: string, format: PromptFormat = SCHEMA_FIRST): string {
  if (format.render) return format.render(question, schemaText);
  const q = `-- ${question.replace(/\s+/g, ' ').trim()}\n`;
  return format.order === 'question-first' ? `${q}${schemaText}\n` : `${schemaText}\n${q}`;
}
