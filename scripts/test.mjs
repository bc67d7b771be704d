// `npm test`: set up, type-check, unit tests (Vitest), build, end-to-end tests (Playwright in headless Chromium).
import { existsSync } from 'node:fs';
import { ensureDependencies, run } from './setup.mjs';

ensureDependencies();
if (!existsSync('/usr/bin/chromium')) {
  console.log('No /usr/bin/chromium: using Playwright\'s own Chromium (downloads it once; needs internet).');
  run('npx', ['playwright', 'install', 'chromium']);
}
run('npx', ['tsc', '-p', '.']);
run('npx', ['vitest', 'run']);
run('npx', ['vite', 'build']);
run('npx', ['playwright', 'test'], { CI: '1' });
console.log('\n✓ all tests passed');
