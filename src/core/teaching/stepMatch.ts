/**
 * The step matcher: compares the rows of a learner's step with the rows of a reference step.
 *
 * Two results match when their rows are equal as a multiset (in order when the reference orders its result) up to
 * column order and naming: some pairing of the learner's columns with the reference's columns makes the rows equal
 * (`sameResult`). A learner result with extra columns whose other columns match "contains" the reference step.
 * Otherwise `diffResult` says what differs: which reference columns have no counterpart, which learner columns are
 * not in the reference, which rows are missing or extra (with examples), duplicated rows, and a different number of
 * groups when either step groups.
 */
import { sameResult } from '../resultCompare';
import type { SqlValue } from '../types';
import { teachingSettings } from './settings';

/** The rows of one step, as the engine returned them. */
export interface Rows {
  columns: string[];
  rows: SqlValue[][];
  /** True when rows were cut at the row cap (the result cannot be compared). */
  truncated?: boolean;
}

/**
 * The learner column that stands for each reference column (`pairing[j]` is the learner's column for reference column
 * j) when the learner's rows, restricted to those columns, equal the reference's; null when no pairing does.
 */
export function matchColumns(learner: Rows, reference: Rows, ordered: boolean): number[] | null {
  const nRef = reference.columns.length;
  if (learner.rows.length !== reference.rows.length || learner.columns.length < nRef) return null;
  const lSig = learner.columns.map((_, i) => columnSignature(learner.rows, i));
  const rSig = reference.columns.map((_, j) => columnSignature(reference.rows, j));
  // Candidates per reference column: learner columns with the same values; a column named the same is tried first.
  const candidates = rSig.map((sig, j) =>
    lSig
      .map((s, i) => ({ i, same: s === sig, named: sameName(learner.columns[i]!, reference.columns[j]!) }))
      .filter((c) => c.same)
      .sort((a, b) => Number(b.named) - Number(a.named))
      .map((c) => c.i),
  );
  if (candidates.some((c) => c.length === 0)) return null;
  let tries = teachingSettings().maxPermutations;
  const pairing: number[] = [];
  const used = new Set<number>();
  const search = (j: number): boolean => {
    if (j === nRef) {
      if (--tries < 0) return false;
      return sameResult(project(learner.rows, pairing), reference.rows, ordered);
    }
    for (const i of candidates[j]!) {
      if (used.has(i)) continue;
      used.add(i);
      pairing.push(i);
      if (search(j + 1)) return true;
      pairing.pop();
      used.delete(i);
      if (tries < 0) return false;
    }
    return false;
  };
  return search(0) ? pairing.slice() : null;
}

export interface RowSample {
  /** How many rows (counting repeats). */
  count: number;
  /** A few of them, in the reference's column order. */
  examples: SqlValue[][];
}

/** A learner column in the place of a reference column (the same name, or the one left on each side), with other values. */
export interface WrongColumn {
  learner: string;
  reference: string;
  /** A few of the learner column's values the reference column lacks, and the other way round. */
  learnerExamples: SqlValue[];
  referenceExamples: SqlValue[];
}

export interface ResultDiff {
  /** Reference columns no learner column stands for (and none in their place). */
  missingColumns: string[];
  /** Learner columns that stand for no reference column (and are in the place of none). */
  extraColumns: string[];
  wrongColumns: WrongColumn[];
  /** The columns compared row by row: [learner column, reference column] names. */
  comparedColumns: [string, string][];
  /** Reference rows the learner's step lacks (on the compared columns). */
  missingRows: RowSample;
  /** Learner rows the reference step does not have (on the compared columns). */
  extraRows: RowSample;
  /** The same distinct rows, but some repeated a different number of times. */
  duplicates: { learnerRows: number; referenceRows: number; examples: SqlValue[][] } | null;
  /** Set when the learner's step and the reference step do not group the same way. */
  grouping: { learnerGroups: number | null; referenceGroups: number | null } | null;
  /** 0–1: how close the two results are (column pairing and shared rows). */
  similarity: number;
}

/** Which results are made of groups: `learner` and `reference` when the step or one before it groups rows (GROUP BY or an aggregate); `inStep` when either step groups them itself. */
export interface Grouped {
  learner: boolean;
  reference: boolean;
  inStep: boolean;
}

/**
 * What differs between two results. Wrong grouping: one result is made of groups and the other is not, or both are
 * and a step that groups makes another number of groups than the reference.
 */
export function diffResult(learner: Rows, reference: Rows, grouped: Grouped = { learner: false, reference: false, inStep: false }): ResultDiff {
  const { examples } = teachingSettings();
  const pairs = pairColumns(learner, reference);
  const pairedRef = new Set(pairs.map(([, j]) => j));
  const pairedLearner = new Set(pairs.map(([i]) => i));
  pairs.sort((a, b) => a[1] - b[1]);
  const lIdx = pairs.map(([i]) => i);
  const rIdx = pairs.map(([, j]) => j);
  const lRows = project(learner.rows, lIdx);
  const rRows = project(reference.rows, rIdx);
  const missing: SqlValue[][] = [];
  const extra: SqlValue[][] = [];
  let shared = 0;
  let duplicates: ResultDiff['duplicates'] = null;
  if (pairs.length > 0) {
    const lCount = countRows(lRows);
    const rCount = countRows(rRows);
    for (const [k, { n, row }] of rCount) for (let c = lCount.get(k)?.n ?? 0; c < n; c++) missing.push(row);
    for (const [k, { n, row }] of lCount) for (let c = rCount.get(k)?.n ?? 0; c < n; c++) extra.push(row);
    for (const [k, { n }] of rCount) shared += Math.min(n, lCount.get(k)?.n ?? 0);
    const sameDistinct = lCount.size === rCount.size && [...rCount.keys()].every((k) => lCount.has(k));
    if (sameDistinct && (missing.length > 0 || extra.length > 0)) {
      const repeated = [...lCount.entries()].filter(([k, v]) => v.n !== rCount.get(k)!.n).map(([, v]) => v.row);
      duplicates = { learnerRows: lRows.length, referenceRows: rRows.length, examples: repeated.slice(0, examples) };
    }
  }
  let grouping: ResultDiff['grouping'] = null;
  const rowsDiffer = learner.rows.length !== reference.rows.length;
  if ((grouped.learner || grouped.reference) && grouped.learner !== grouped.reference) {
    grouping = { learnerGroups: grouped.learner ? learner.rows.length : null, referenceGroups: grouped.reference ? reference.rows.length : null };
  } else if (grouped.learner && grouped.reference && grouped.inStep && rowsDiffer) {
    grouping = { learnerGroups: learner.rows.length, referenceGroups: reference.rows.length };
  }
  const columnScore = pairs.length / Math.max(learner.columns.length, reference.columns.length, 1);
  const rowScore = shared / Math.max(lRows.length, rRows.length, 1);
  const wrong = wrongColumns(learner, reference, pairedLearner, pairedRef);
  return {
    missingColumns: reference.columns.filter((c, j) => !pairedRef.has(j) && !wrong.some((w) => w.reference === c)),
    extraColumns: learner.columns.filter((c, i) => !pairedLearner.has(i) && !wrong.some((w) => w.learner === c)),
    wrongColumns: wrong,
    comparedColumns: pairs.map(([i, j]) => [learner.columns[i]!, reference.columns[j]!]),
    missingRows: { count: missing.length, examples: missing.slice(0, examples) },
    extraRows: { count: extra.length, examples: extra.slice(0, examples) },
    duplicates,
    grouping,
    similarity: (columnScore + (pairs.length > 0 ? rowScore : 0)) / 2,
  };
}

/**
 * Pairs learner columns with reference columns by the values they hold: the share of the smaller column's distinct
 * values found in the other (at least `columnOverlap`), then the same name, then the Jaccard index; greedy, best first.
 */
function pairColumns(learner: Rows, reference: Rows): [number, number][] {
  const { columnOverlap } = teachingSettings();
  const lSets = learner.columns.map((_, i) => valueSet(learner.rows, i));
  const rSets = reference.columns.map((_, j) => valueSet(reference.rows, j));
  const scored: { i: number; j: number; overlap: number; named: number; jaccard: number }[] = [];
  lSets.forEach((l, i) =>
    rSets.forEach((r, j) => {
      let both = 0;
      for (const v of l) if (r.has(v)) both++;
      const smaller = Math.min(l.size, r.size);
      const overlap = smaller === 0 ? (l.size === r.size ? 1 : 0) : both / smaller;
      const union = l.size + r.size - both;
      scored.push({ i, j, overlap, named: Number(sameName(learner.columns[i]!, reference.columns[j]!)), jaccard: union === 0 ? 1 : both / union });
    }),
  );
  scored.sort((a, b) => b.overlap - a.overlap || b.named - a.named || b.jaccard - a.jaccard || a.i - b.i);
  const out: [number, number][] = [];
  const li = new Set<number>();
  const rj = new Set<number>();
  for (const s of scored) {
    if (s.overlap < columnOverlap || li.has(s.i) || rj.has(s.j)) continue;
    li.add(s.i);
    rj.add(s.j);
    out.push([s.i, s.j]);
  }
  return out;
}

/** Unpaired columns in each other's place: the same name, or the only one left on each side. */
function wrongColumns(learner: Rows, reference: Rows, pairedLearner: Set<number>, pairedRef: Set<number>): WrongColumn[] {
  const { examples } = teachingSettings();
  const li = learner.columns.map((_, i) => i).filter((i) => !pairedLearner.has(i));
  const rj = reference.columns.map((_, j) => j).filter((j) => !pairedRef.has(j));
  const pairs: [number, number][] = [];
  for (const j of rj) {
    const i = li.find((i) => sameName(learner.columns[i]!, reference.columns[j]!) && !pairs.some(([x]) => x === i));
    if (i !== undefined) pairs.push([i, j]);
  }
  const leftL = li.filter((i) => !pairs.some(([x]) => x === i));
  const leftR = rj.filter((j) => !pairs.some(([, y]) => y === j));
  if (leftL.length === 1 && leftR.length === 1) pairs.push([leftL[0]!, leftR[0]!]);
  const only = (rows: SqlValue[][], c: number, other: Set<string>) => {
    const out = new Map<string, SqlValue>();
    for (const r of rows) if (!other.has(valueKey(r[c]!)) && out.size < examples) out.set(valueKey(r[c]!), r[c]!);
    return [...out.values()];
  };
  return pairs.map(([i, j]) => ({
    learner: learner.columns[i]!,
    reference: reference.columns[j]!,
    learnerExamples: only(learner.rows, i, valueSet(reference.rows, j)),
    referenceExamples: only(reference.rows, j, valueSet(learner.rows, i)),
  }));
}

function project(rows: SqlValue[][], cols: number[]): SqlValue[][] {
  return rows.map((r) => cols.map((c) => r[c]!));
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** A column's values as a sorted multiset, for finding columns that may stand for each other. */
function columnSignature(rows: SqlValue[][], c: number): string {
  return rows.map((r) => valueKey(r[c]!)).sort().join('\u0001');
}

function valueSet(rows: SqlValue[][], c: number): Set<string> {
  return new Set(rows.map((r) => valueKey(r[c]!)));
}

function countRows(rows: SqlValue[][]): Map<string, { n: number; row: SqlValue[] }> {
  const out = new Map<string, { n: number; row: SqlValue[] }>();
  for (const row of rows) {
    const k = row.map(valueKey).join('\u0001');
    const e = out.get(k);
    if (e) e.n++;
    else out.set(k, { n: 1, row });
  }
  return out;
}

/** Numbers by value at 10 significant digits (sums added in another order still meet), text and blobs exactly. */
function valueKey(v: SqlValue): string {
  if (v === null) return 'N';
  if (typeof v === 'number') return `n${Number.isInteger(v) ? v : Number(v.toPrecision(10))}`;
  if (v instanceof Uint8Array) return `b${Array.from(v).join(',')}`;
  return `s${v}`;
}
