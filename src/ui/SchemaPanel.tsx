import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import { searchSchema, splitMatch, type TableHit } from '../core/schemaSearch';
import type { SchemaInfo, SqlValue, TableInfo } from '../core/types';
import { quoteIdent } from '../core/sqlLexer';
import { actionById, formatShortcut } from '../state/actions';
import { useStudio } from '../state/store';
import { IS_MAC, SCHEMA_SEARCH_ID } from './actionContext';
import { formatValue } from './formatValue';

const TABLE_ROW = 26;

/**
 * Tables and views with row counts; expand one for columns, types, keys and example values. The list is virtualized
 * (only the tables in view are in the page), so a schema of thousands of tables scrolls and searches at once; the
 * search field keeps the tables whose name or column names contain its text.
 */
export function SchemaPanel({ schema }: { schema: SchemaInfo }) {
  const [open, setOpen] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  // For `npm run bench`: when the panel starts rendering a new schema (see the paint mark below).
  useMemo(() => performance.mark('cocte:schema-render'), [schema]);
  const hits = useMemo(() => searchSchema(schema.tables, query), [schema, query]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: hits.length, getScrollElement: () => scrollRef.current, estimateSize: () => TABLE_ROW, overscan: 8 });
  useEffect(() => {
    // A new database starts with its whole schema in view.
    setQuery('');
    setOpen(null);
    // For `npm run bench`: when the new schema's panel is on screen (after the frame that paints it).
    requestAnimationFrame(() => setTimeout(() => performance.mark('cocte:schema-painted'), 0));
  }, [schema]);
  const shortcut = actionById('schema.search').shortcut!;
  const total = schema.tables.length;
  return (
    <div className="schema">
      <h2>Schema</h2>
      <div className="schema-search">
        <input
          id={SCHEMA_SEARCH_ID}
          type="search"
          aria-label="Search tables and columns"
          placeholder={`Search ${total.toLocaleString('en-US')} tables…`}
          title={`Tables and columns whose name contains the text (${formatShortcut(shortcut, IS_MAC)})`}
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            scrollRef.current?.scrollTo({ top: 0 });
          }}
        />
        {query.trim() && (
          <span className="schema-count" data-testid="schema-count">
            {hits.length.toLocaleString('en-US')} of {total.toLocaleString('en-US')} tables
          </span>
        )}
      </div>
      <div className="schema-scroll" ref={scrollRef}>
        <ul className="schema-tables" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((v) => {
            const hit = hits[v.index]!;
            const t = hit.table;
            return (
              <li
                key={t.name}
                data-index={v.index}
                ref={virtualizer.measureElement}
                data-testid={`table-${t.name}`}
                style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${v.start}px)` }}
              >
                <button type="button" className="table-row" aria-expanded={open === t.name} onClick={() => setOpen(open === t.name ? null : t.name)}>
                  <span className="table-name">
                    {t.kind === 'view' ? '◇ ' : '▦ '}
                    <Highlight text={t.name} query={hit.byName ? query : ''} />
                  </span>
                  <span className="row-count" data-testid={`rows-${t.name}`}>
                    {t.rowCount >= 0 ? t.rowCount.toLocaleString('en-US') : '?'}
                  </span>
                </button>
                {hit.columns.length > 0 && open !== t.name && <ColumnMatches hit={hit} query={query} />}
                {open === t.name && <TableColumns table={t} />}
              </li>
            );
          })}
        </ul>
        {hits.length === 0 && <p className="muted">No table or column contains “{query.trim()}”.</p>}
      </div>
    </div>
  );
}

function Highlight({ text, query }: { text: string; query: string }) {
  const [a, m, b] = splitMatch(text, query);
  return m ? (
    <>
      {a}
      <mark>{m}</mark>
      {b}
    </>
  ) : (
    <>{text}</>
  );
}

function ColumnMatches({ hit, query }: { hit: TableHit; query: string }) {
  const shown = hit.columns.slice(0, 4);
  return (
    <div className="schema-match" data-testid="column-match">
      {shown.map((c, i) => (
        <span key={c}>
          {i > 0 && ', '}
          <Highlight text={c} query={query} />
        </span>
      ))}
      {hit.columns.length > shown.length && ` +${hit.columns.length - shown.length}`}
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
