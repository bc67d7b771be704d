import type { SqlValue } from '../core/types';
import { formatValue } from './formatValue';

export function MiniTable({ columns, rows }: { columns: string[]; rows: SqlValue[][] }) {
  return (
    <div className="mini-table">
      <table>
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th key={i}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              {r.map((v, j) => (
                <td key={j} className={v === null ? 'null' : typeof v === 'number' ? 'num' : undefined}>
                  {formatValue(v, 40)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
