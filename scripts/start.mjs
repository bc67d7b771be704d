// `npm start`: set up, build, and serve the studio on http://127.0.0.1:4173 with a sample database open.
import { ensureDependencies, run } from './setup.mjs';

ensureDependencies();
run('npx', ['vite', 'build']);
console.log('\nCoCTE Studio: http://127.0.0.1:4173/  (Ctrl+C stops it)\n');
run('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', '4173', '--strictPort']);
