import { describe, expect, it } from 'vitest';
import { chartData, chartSettings, columnKinds, isValidSpec, noChartReason, parseDate, proposeChart, withAxis, withType, xChoices, yChoices } from '../src/core/chart/propose';

describe('column kinds', () => {
  it('numbers, ISO dates, categories, empty and binary columns; nulls are ignored', () => {
    const kinds = columnKinds(
      ['n', 'd', 'c', 'e', 'b', 'mixed'],
      [
        [1, '2024-01-05', 'Rock', null, new Uint8Array([1]), 1],
        [2.5, '2024-02-05 10:00:00', 'Jazz', null, null, 'x'],
        [null, null, null, null, null, null],
      ],
    );
    expect(kinds).toEqual(['number', 'date', 'category', 'empty', 'binary', 'category']);
  });

  it('a date only when every value is one: a year-month counts, free text and impossible days do not', () => {
    expect(parseDate('2024-03')?.toISOString()).toBe('2024-03-01T00:00:00.000Z');
    expect(parseDate('2009-01-01 00:00:00')?.toISOString()).toBe('2009-01-01T00:00:00.000Z');
    expect(parseDate('2024-13-40')).toBeNull();
    expect(parseDate('March 2024')).toBeNull();
    expect(parseDate(2024)).toBeNull();
    expect(columnKinds(['d'], [['2024-01-01'], ['soon']])).toEqual(['category']);
  });

  it('reads at most kindSampleRows values', () => {
    const rows = [...Array.from({ length: 3 }, () => [1]), ['text']];
    expect(columnKinds(['n'], rows, { ...chartSettings(), kindSampleRows: 3 })).toEqual(['number']);
    expect(columnKinds(['n'], rows)).toEqual(['category']);
  });
});

describe('proposal rules', () => {
  it('category + number give bars', () => {
    expect(proposeChart(['category', 'number'])).toEqual({ type: 'bar', x: 0, y: 1 });
    expect(proposeChart(['number', 'category'])).toEqual({ type: 'bar', x: 1, y: 0 });
  });

  it('date + number give a line, even beside a category', () => {
    expect(proposeChart(['date', 'number'])).toEqual({ type: 'line', x: 0, y: 1 });
    expect(proposeChart(['category', 'number', 'date'])).toEqual({ type: 'line', x: 2, y: 1 });
  });

  it('two numbers give a scatter of the first two', () => {
    expect(proposeChart(['number', 'number', 'number'])).toEqual({ type: 'scatter', x: 0, y: 1 });
  });

  it('nothing to plot: no proposal and a reason', () => {
    expect(proposeChart(['category', 'category'])).toBeNull();
    expect(noChartReason(['category', 'category'])).toMatch(/number column/);
    expect(proposeChart(['number'])).toBeNull();
    expect(noChartReason(['number'])).toMatch(/second column/);
    expect(proposeChart([])).toBeNull();
  });
});

describe('changing type and axes', () => {
  const kinds = ['category', 'number', 'number', 'date'] as const;
  it('choices per axis', () => {
    expect(xChoices('bar', [...kinds])).toEqual([0, 1, 2, 3]);
    expect(xChoices('line', [...kinds])).toEqual([1, 2, 3]);
    expect(xChoices('scatter', [...kinds])).toEqual([1, 2, 3]);
    expect(yChoices([...kinds])).toEqual([1, 2]);
    expect(isValidSpec({ type: 'bar', x: 1, y: 1 }, [...kinds])).toBe(false);
  });

  it('keeps axes that fit the new type, otherwise moves x to the first column that fits', () => {
    expect(withType({ type: 'line', x: 3, y: 1 }, 'bar', [...kinds])).toEqual({ type: 'bar', x: 3, y: 1 });
    expect(withType({ type: 'bar', x: 0, y: 1 }, 'scatter', [...kinds])).toEqual({ type: 'scatter', x: 2, y: 1 });
    expect(withType({ type: 'bar', x: 0, y: 1 }, 'line', ['category', 'number'])).toBeNull();
  });

  it('an axis given the other axis\'s column swaps them when that fits; a choice that does not fit changes nothing', () => {
    expect(withAxis({ type: 'scatter', x: 2, y: 1 }, 'x', 1, [...kinds])).toEqual({ type: 'scatter', x: 1, y: 2 });
    expect(withAxis({ type: 'bar', x: 0, y: 1 }, 'y', 2, [...kinds])).toEqual({ type: 'bar', x: 0, y: 2 });
    expect(withAxis({ type: 'bar', x: 0, y: 1 }, 'x', 1, [...kinds])).toEqual({ type: 'bar', x: 0, y: 1 });
  });

  it('takes another number for y when the only x that fits is the y column', () => {
    expect(withType({ type: 'bar', x: 0, y: 1 }, 'scatter', ['category', 'number', 'number'])).toEqual({ type: 'scatter', x: 2, y: 1 });
    expect(withType({ type: 'bar', x: 0, y: 1 }, 'scatter', ['category', 'number'])).toBeNull();
  });
});

describe('chart data', () => {
  it('bars: x as text, rows with a null or a non-number left out and counted, at most maxBars', () => {
    const d = chartData(
      [
        ['Rock', 3],
        ['Jazz', null],
        [null, 4],
        ['Pop', 2],
        ['Blues', 1],
      ],
      { type: 'bar', x: 0, y: 1 },
      ['category', 'number'],
      { ...chartSettings(), maxBars: 2 },
    );
    expect(d.points).toEqual([
      { x: 'Rock', y: 3 },
      { x: 'Pop', y: 2 },
    ]);
    expect(d.dropped).toBe(3);
    expect(d.overLimit).toBe(1);
  });

  it('a line over dates is drawn in date order', () => {
    const d = chartData(
      [
        ['2024-03-01', 3],
        ['2024-01-01', 1],
      ],
      { type: 'line', x: 0, y: 1 },
      ['date', 'number'],
    );
    expect(d.points.map((p) => (p.x as Date).toISOString().slice(0, 10))).toEqual(['2024-01-01', '2024-03-01']);
  });

  it('10,000 rows of a scatter stay whole', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => [i, (i * 7) % 13]);
    const d = chartData(rows, { type: 'scatter', x: 0, y: 1 }, ['number', 'number']);
    expect(d.points).toHaveLength(10_000);
    expect(d.dropped).toBe(0);
  });
});
