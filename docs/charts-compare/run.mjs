// The comparison of docs/charts.md. From this folder: `npm install && node run.mjs` (uses the studio's esbuild and
// playwright-core from ../../node_modules). Each library's entry (src/*.js) is bundled and minified on its own (its
// size raw and gzip -9), then loaded in headless Chromium, where it draws 10,000 rows as bars (summed over 20
// categories), a line over dates and a scatter, 5 times each into a 640×320 box; a time runs from the call to the
// next frame after it returned. Prints JSON.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from '../../node_modules/playwright-core/index.mjs';

const esbuild = '../../node_modules/.bin/esbuild';
const libs = ['plot', 'echarts', 'vega'];
const out = mkdtempSync(join(tmpdir(), 'chart-compare-'));
const size = {};
for (const lib of [...libs, 'data']) {
  execFileSync(esbuild, [`src/${lib}.js`, '--bundle', '--minify', '--format=iife', `--global-name=${lib === 'data' ? 'Data' : 'Lib'}`, `--outfile=${out}/${lib}.js`, '--log-level=error']);
  if (lib !== 'data') size[lib] = { bytes: statSync(`${out}/${lib}.js`).size, gzip: gzipSync(readFileSync(`${out}/${lib}.js`), { level: 9 }).length };
}
const browser = await chromium.launch({ executablePath: existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined, args: ['--no-sandbox'] });
const draw = {};
for (const lib of libs) {
  for (const renderer of lib === 'plot' ? ['svg'] : ['canvas', 'svg']) {
    const page = await browser.newPage();
    await page.setContent('<div id="c" style="width:640px;height:320px"></div>');
    await page.addScriptTag({ path: `${out}/data.js` });
    await page.addScriptTag({ path: `${out}/${lib}.js` });
    draw[`${lib}/${renderer}`] = await page.evaluate(async (r) => {
      const data = Data.rows(10000);
      const out = {};
      for (const kind of ['bar', 'line', 'scatter']) {
        const times = [];
        for (let i = 0; i < 5; i++) {
          const t0 = performance.now();
          await Lib.render(document.getElementById('c'), data, kind, r);
          await new Promise((res) => requestAnimationFrame(() => setTimeout(res, 0)));
          times.push(performance.now() - t0);
        }
        times.sort((a, b) => a - b);
        out[kind] = { minMs: Math.round(times[0]), medianMs: Math.round(times[2]) };
      }
      return out;
    }, renderer);
    await page.close();
  }
}
await browser.close();
console.log(JSON.stringify({ date: new Date().toISOString(), size, draw }, null, 1));
