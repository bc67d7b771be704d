/**
 * Spider-format questions reworded by src/core/lexicon/reword.ts, the same way for every script (`npm run eval --
 * --reword`, `npm run link:recall`): the names come from the set's tables.json, and each question's rules are seeded
 * by its position in the file, so the same question is reworded the same way everywhere.
 */
import { readFileSync } from 'node:fs';
import { mulberry32 } from '../../src/core/decode';
import { reword, type RewordMode } from '../../src/core/lexicon/reword';

const MODES: readonly RewordMode[] = ['synonym', 'implicit', 'both'];

/** A `--reword` flag's mode (undefined when not given). */
export function rewordModeOf(flag: string | undefined): RewordMode | undefined {
  if (flag !== undefined && !MODES.includes(flag as RewordMode)) throw new Error(`--reword must be synonym, implicit or both, not ${flag}`);
  return flag as RewordMode | undefined;
}

export class SpiderRewording {
  private readonly names: Map<string, { tables: string[]; columns: string[] }>;

  constructor(tablesFile: string, private readonly mode: RewordMode) {
    const dbs = JSON.parse(readFileSync(tablesFile, 'utf8')) as { db_id: string; table_names_original: string[]; column_names_original: [number, string][] }[];
    this.names = new Map(dbs.map((t) => [t.db_id, { tables: t.table_names_original, columns: t.column_names_original.map((c) => c[1]).filter((c) => c !== '*') }]));
  }

  /** The `index`-th question of its file reworded, or null when no rule changes it (or its database is unknown). */
  question(ex: { db_id: string; question: string }, index: number): string | null {
    const db = this.names.get(ex.db_id);
    return db ? reword(ex.question, db.tables, db.columns, mulberry32(0x9e3779b9 ^ (index + 1)), this.mode) : null;
  }
}
