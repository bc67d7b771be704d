/**
 * The policy's prompt: a serialized (linked, pruned) schema and the question. The CoCTE answer follows the prompt.
 * This is the embedded model's format; a bigger model gets its own adapter (see src/core/promptAdapters.ts later).
 */
import type { SchemaLink } from './schemaLink';
import type { SchemaInfo, SqlValue } from './types';

export interface PromptOptions {
  examplesPerColumn?: number;
  maxValueChars?: number;
}

/** `# table(col TYPE PK, col TYPE = ex1 | ex2, …)` lines plus foreign keys; linked columns are marked with `*`. */
export function serializeSchema(schema: SchemaInfo, link?: SchemaLink, opts: PromptOptions = {}): string {
  const k = opts.examplesPerColumn ?? 2;
  const maxChars = opts.maxValueChars ?? 20;
  const keep = link ? new Set(link.tables.map((t) => t.toLowerCase())) : null;
  const lines: string[] = [];
  const fks: string[] = [];
  for (const t of schema.tables) {
    if (keep && !keep.has(t.name.toLowerCase())) continue;
    const cols = t.columns.map((c) => {
      const linked = link?.columns.has(`${t.name}.${c.name}`.toLowerCase()) ? '*' : '';
      const pk = c.pk > 0 ? ' PK' : '';
      const ex = c.examples
        .slice(0, k)
        .map((v) => valueText(v, maxChars))
        .join(' | ');
      return `${linked}${c.name} ${shortType(c.type)}${pk}${ex ? ` = ${ex}` : ''}`;
    });
    lines.push(`# ${t.name}(${cols.join(', ')})`);
    for (const f of t.foreignKeys) if (!keep || keep.has(f.table.toLowerCase())) fks.push(`# ${t.name}.${f.from} -> ${f.table}.${f.to || f.from}`);
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

/** The text the policy continues. */
export function buildPrompt(question: string, schemaText: string): string {
  return `${schemaText}\n-- ${question.replace(/\s+/g, ' ').trim()}\n`;
}
