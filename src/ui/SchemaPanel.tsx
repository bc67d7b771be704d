import { useState } from 'react';
import type { SchemaInfo, SqlValue, TableInfo } from '../core/types';
import { quoteIdent } from '../core/sqlLexer';
import { useStudio } from '../state/store';
import { formatValue } from './formatValue';

/** Tables and views with row counts; expand one for columns, types, keys and example values. */
export function SchemaPanel({ schema }: { schema: SchemaInfo }) {
  const [open, setOpen] = useState<string | null>(null);
  return (
    <div className="schema">
      <h2>Schema</h2>
      <ul className="schema-tables">
        {schema.tables.map((t) => (
          <li key={t.name} data-testid={`table-${t.name}`}>
            <button type="button" className="table-row" aria-expanded={open === t.name} onClick={() => setOpen(open === t.name ? null : t.name)}>
              <span className="table-name">
                {t.kind === 'view' ? '◇ ' : '▦ '}
                {t.name}
              </span>
              <span className="row-count" data-testid={`rows-${t.name}`}>
                {t.rowCount >= 0 ? t.rowCount.toLocaleString('en-US') : '?'}
              </span>
            </button>
            {open === t.name && <TableColumns table={t} />}
          </li>
        ))}
      </ul>
    </div>
  );
}

function TableColumns({ table }: { table: TableInfo }) {
  const fk = new Map(table.foreignKeys.map((f) => [f.from, `${f.table}.${f.to || f.from}`]));
  return (
    <ul className="schema-columns">
      <li className="schema-action">
        <button type="button" onClick={() => useStudio.getState().setSql(`SELECT *\nFROM ${quoteIdent(table.name)}\nLIMIT 100`)}>
          Query {table.name}
        </button>
      </li>
      {table.columns.map((c) => (
        <li key={c.name} title={c.examples.map((v: SqlValue) => formatValue(v)).join(', ')}>
          <span className="col-name">
            {c.pk > 0 && <abbr title="primary key">PK </abbr>}
            {fk.has(c.name) && <abbr title={`foreign key → ${fk.get(c.name)}`}>FK </abbr>}
            {c.name}
          </span>
          <span className="col-type">{c.type || 'any'}</span>
          {c.examples.length > 0 && <span className="col-examples">{c.examples.map((v) => formatValue(v, 18)).join(' · ')}</span>}
          {fk.has(c.name) && <span className="col-fk">→ {fk.get(c.name)}</span>}
        </li>
      ))}
    </ul>
  );
}
