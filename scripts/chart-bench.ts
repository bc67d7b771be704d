/**
 * `npm run bench:charts`: the studio's first-load bundle, the chart code loaded on demand, and the time to draw a chart
 * of 10,000 rows in headless Chromium (scripts/lib/chartBench.ts). Writes bench/charts.json; `npm run bench` runs the
 * same measurement into bench/results.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { chartBench, chartSummary } from './lib/chartBench';

const r = await chartBench();
mkdirSync('bench', { recursive: true });
writeFileSync('bench/charts.json', JSON.stringify({ date: new Date().toISOString(), ...r }, null, 2));
console.log(`charts: ${chartSummary(r)} (bench/charts.json)`);
