/**
 * Charts of a query result, chosen from its columns' kinds: a category and a number give bars, a date and a number a
 * line, two numbers a scatter. Pure: the result's values in, a plain chart description out (the UI draws it).
 */
import type { SqlValue } from '../types';

export type ColumnKind = 'number' | 'date' | 'category' | 'empty' | 'binary';
export type ChartType = 'bar' | 'line' | 'scatter';

/** What to draw: the type and the result's column indexes on each axis. */
export interface ChartSpec {
  type: ChartType;
  x: number;
  y: number;
}

export interface ChartSettings {
  /** Bars drawn at most (the first ones in the result's order); the chart says when some are left out. */
  maxBars: number;
  /** Points drawn at most in a line or scatter (the studio keeps 10,000 rows of a step). */
  maxPoints: number;
  /** Rows read to decide a column's kind. */
  kindSampleRows: number;
  /** Chart size in CSS pixels. */
  width: number;
  height: number;
}

/** The one place for chart settings: the chart panel, the exports and the bench read them from here. */
export function chartSettings(): ChartSettings {
  return { maxBars: 60, maxPoints: 10_000, kindSampleRows: 500, width: 560, height: 300 };
}

export const CHART_TYPES: { type: ChartType; label: string }[] = [
  { type: 'bar', label: 'Bars' },
  { type: 'line', label: 'Line' },
  { type: 'scatter', label: 'Scatter' },
];

/** ISO-8601 dates as SQLite writes them: `2024-03-01`, `2024-03-01 12:30`, `2024-03-01T12:30:45.123Z`, `2024-03`. */
const DATE_RE = /^\d{4}-\d{2}(-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)?$/;

/** A value as a Date when it is an ISO date string that names a real day; otherwise null. */
export function parseDate(v: SqlValue): Date | null {
  if (typeof v !== 'string' || !DATE_RE.test(v)) return null;
  const s = v.length === 7 ? `${v}-01` : v;
  // A time without a zone is read as UTC, so the same text draws at the same place in every time zone.
  const withZone = s.length > 10 && !/(Z|[+-]\d{2}:?\d{2})$/.test(s) ? `${s.replace(' ', 'T')}Z` : s.replace(' ', 'T');
  const d = new Date(withZone);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** The kind of each column, from its first `kindSampleRows` non-null values (nulls are ignored). */
export function columnKinds(columns: string[], rows: SqlValue[][], settings = chartSettings()): ColumnKind[] {
  return columns.map((_, j) => {
    let numbers = 0;
    let dates = 0;
    let seen = 0;
    for (const row of rows) {
      const v = row[j];
      if (v === null || v === undefined) continue;
      if (v instanceof Uint8Array) return 'binary';
      seen++;
      if (typeof v === 'number') numbers++;
      else if (parseDate(v)) dates++;
      if (seen >= settings.kindSampleRows) break;
    }
    if (seen === 0) return 'empty';
    if (numbers === seen) return 'number';
    if (dates === seen) return 'date';
    return 'category';
  });
}

/** Which kinds may stand on each axis of each chart type. */
const X_KINDS: Record<ChartType, ColumnKind[]> = { bar: ['category', 'date', 'number'], line: ['date', 'number'], scatter: ['number', 'date'] };
const Y_KINDS: ColumnKind[] = ['number'];

export function xChoices(type: ChartType, kinds: ColumnKind[]): number[] {
  return kinds.flatMap((k, i) => (X_KINDS[type].includes(k) ? [i] : []));
}

export function yChoices(kinds: ColumnKind[]): number[] {
  return kinds.flatMap((k, i) => (Y_KINDS.includes(k) ? [i] : []));
}

export function isValidSpec(spec: ChartSpec, kinds: ColumnKind[]): boolean {
  return xChoices(spec.type, kinds).includes(spec.x) && yChoices(kinds).includes(spec.y) && spec.x !== spec.y;
}

/**
 * The proposed chart, or null when the result has no number to plot against another column. Rules, first match:
 * a date and a number give a line (over the date); a category and a number give bars (the first category); two
 * numbers give a scatter (the first two). The number plotted is the first number column that is not on the x axis.
 */
export function proposeChart(kinds: ColumnKind[]): ChartSpec | null {
  const numbers = yChoices(kinds);
  const date = kinds.indexOf('date');
  const category = kinds.indexOf('category');
  if (date >= 0 && numbers.length > 0) return { type: 'line', x: date, y: numbers[0]! };
  if (category >= 0 && numbers.length > 0) return { type: 'bar', x: category, y: numbers[0]! };
  if (numbers.length >= 2) return { type: 'scatter', x: numbers[0]!, y: numbers[1]! };
  return null;
}

/** Why no chart is proposed, for the chart panel. */
export function noChartReason(kinds: ColumnKind[]): string {
  if (kinds.length === 0) return 'The result has no columns.';
  if (!kinds.includes('number')) return 'A chart needs a number column; this result has none.';
  return 'A chart needs a second column to plot the number against (a category, a date or another number).';
}

/**
 * The chart after the user picks another type: the axes stay when they fit the new type; otherwise the x axis moves
 * to the first column that fits (not the y column). Null when no column fits.
 */
export function withType(spec: ChartSpec, type: ChartType, kinds: ColumnKind[]): ChartSpec | null {
  const next = { ...spec, type };
  if (isValidSpec(next, kinds)) return next;
  const ys = yChoices(kinds);
  const y = ys.includes(spec.y) ? spec.y : ys[0];
  if (y === undefined) return null;
  const x = xChoices(type, kinds).find((i) => i !== y);
  if (x !== undefined) return { type, x, y };
  // The only x that fits is the y column: take another number for y.
  const x2 = xChoices(type, kinds)[0];
  const y2 = ys.find((i) => i !== x2);
  return x2 !== undefined && y2 !== undefined ? { type, x: x2, y: y2 } : null;
}

/**
 * The chart after the user puts column `col` on an axis. Taking the other axis's column swaps the two when that fits
 * the type; a choice that does not fit leaves the chart as it was.
 */
export function withAxis(spec: ChartSpec, axis: 'x' | 'y', col: number, kinds: ColumnKind[]): ChartSpec {
  const other = axis === 'x' ? 'y' : 'x';
  const next = { ...spec, [axis]: col, ...(spec[other] === col ? { [other]: spec[axis] } : {}) };
  return isValidSpec(next, kinds) ? next : spec;
}

export type ChartX = string | number | Date;

export interface ChartData {
  points: { x: ChartX; y: number }[];
  /** Rows left out: a null or non-number on an axis, or past the bar or point limit. */
  dropped: number;
  /** Rows past the bar or point limit (counted in `dropped` too). */
  overLimit: number;
}

/**
 * The points to draw: x as text (bars), a Date (date columns) or a number; y a number. Rows with a missing value on
 * either axis are left out and counted. Bars keep the first `maxBars` rows and lines and scatters `maxPoints`; a line
 * is drawn in x order.
 */
export function chartData(rows: SqlValue[][], spec: ChartSpec, kinds: ColumnKind[], settings = chartSettings()): ChartData {
  const limit = spec.type === 'bar' ? settings.maxBars : settings.maxPoints;
  const points: ChartData['points'] = [];
  let dropped = 0;
  let overLimit = 0;
  for (const row of rows) {
    const xv = row[spec.x] ?? null;
    const yv = row[spec.y] ?? null;
    const x = toX(xv, spec.type, kinds[spec.x]!);
    if (x === null || typeof yv !== 'number' || !Number.isFinite(yv)) {
      dropped++;
      continue;
    }
    if (points.length >= limit) {
      overLimit++;
      dropped++;
      continue;
    }
    points.push({ x, y: yv });
  }
  if (spec.type === 'line') points.sort((a, b) => Number(a.x) - Number(b.x));
  return { points, dropped, overLimit };
}

function toX(v: SqlValue, type: ChartType, kind: ColumnKind): ChartX | null {
  if (v === null || v instanceof Uint8Array) return null;
  if (type === 'bar') return String(v);
  if (kind === 'date') return parseDate(v);
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
