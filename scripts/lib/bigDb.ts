/**
 * Generated databases for the big-database checks (`npm run bench`, e2e/analyst-big.spec.ts), built with sql.js and
 * cached under scratch/big/ (gitignored): many tables (a wide schema), a 1M-row store (the steps / monolithic ratio),
 * and a file of a given size (opening time).
 */
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import initSqlJs, { type Database } from 'sql.js';

export const BIG_DIR = 'scratch/big';

const AREAS = ['sales', 'billing', 'warehouse', 'hr', 'support', 'marketing', 'finance', 'logistics', 'legal', 'research'];
const THINGS = ['customer', 'invoice', 'shipment', 'employee', 'ticket', 'campaign', 'ledger', 'route', 'contract', 'sample', 'order', 'vendor', 'asset', 'payment', 'visit', 'device', 'license', 'budget', 'survey', 'claim'];
const COLS = ['name', 'code', 'status', 'amount', 'created_on', 'region', 'owner', 'score', 'note'];

/** The table name `i` of the wide schema: `warehouse_shipment_0042`. */
export function wideTableName(i: number): string {
  return `${AREAS[i % AREAS.length]}_${THINGS[Math.floor(i / AREAS.length) % THINGS.length]}_${String(i).padStart(4, '0')}`;
}

async function build(file: string, fill: (db: Database) => void): Promise<string> {
  const path = join(BIG_DIR, file);
  if (existsSync(path)) return path;
  mkdirSync(BIG_DIR, { recursive: true });
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  db.run('PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;');
  db.run('BEGIN');
  fill(db);
  db.run('COMMIT');
  writeFileSync(`${path}.tmp`, db.export());
  db.close();
  const { renameSync } = await import('node:fs');
  renameSync(`${path}.tmp`, path);
  return path;
}

/**
 * `tables` tables of 10 columns each (an id and 9 others, 3 rows each, a foreign key to the table before), plus
 * `singer` (Singer_ID, Name, Country, Age; 6 rows) that a question can be asked about.
 */
export function wideDb(tables = 2000): Promise<string> {
  return build(`wide-${tables}.sqlite`, (db) => {
    for (let i = 0; i < tables; i++) {
      const name = wideTableName(i);
      const fk = i > 0 ? `, FOREIGN KEY (parent_id) REFERENCES ${wideTableName(i - 1)}(id)` : '';
      db.run(`CREATE TABLE ${name} (id INTEGER PRIMARY KEY, parent_id INT, ${COLS.slice(0, 8).map((c) => `${c} ${c === 'amount' || c === 'score' ? 'REAL' : 'TEXT'}`).join(', ')}${fk})`);
      db.run(`INSERT INTO ${name} (id, parent_id, name, code, status, amount, created_on, region, owner, score) VALUES
        (1, 1, '${name} one', 'C${i}A', 'open', ${i}.5, '2024-01-0${1 + (i % 9)}', 'north', 'ann', 0.5),
        (2, 1, '${name} two', 'C${i}B', 'closed', ${i + 1}.25, '2024-02-0${1 + (i % 9)}', 'south', 'bob', 0.75),
        (3, 2, '${name} three', 'C${i}C', 'open', ${i + 2}.0, '2024-03-0${1 + (i % 9)}', 'east', 'cy', 0.9)`);
    }
    db.run('CREATE TABLE singer (Singer_ID INTEGER PRIMARY KEY, Name TEXT, Country TEXT, Age INT)');
    db.run(`INSERT INTO singer VALUES (1,'Joe Sharp','Netherlands',52),(2,'Timbaland','United States',32),(3,'Justin Brown','France',29),
      (4,'Rose White','France',41),(5,'John Nizinik','France',43),(6,'Tribal King','France',25)`);
  });
}

/** A store: `customers` (20,000), `products` (1,000) and `orders` (`rows`, default 1M). */
export function storeDb(rows = 1_000_000): Promise<string> {
  return build(`store-${rows}.sqlite`, (db) => {
    db.run('CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, country TEXT, segment TEXT)');
    db.run('CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT, category TEXT, price REAL)');
    db.run('CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INT REFERENCES customers(id), product_id INT REFERENCES products(id), quantity INT, status TEXT, ordered_on TEXT)');
    db.run(`WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 20000)
      INSERT INTO customers SELECT x, 'Customer ' || x, char(65 + x % 23) || char(65 + x % 7) || ' land', CASE x % 3 WHEN 0 THEN 'retail' WHEN 1 THEN 'trade' ELSE 'public' END FROM n`);
    db.run(`WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1000)
      INSERT INTO products SELECT x, 'Product ' || x, 'category ' || (x % 40), round(1 + (x * 37 % 500) / 3.0, 2) FROM n`);
    db.run(`WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ${rows})
      INSERT INTO orders SELECT x, 1 + (x * 7919) % 20000, 1 + (x * 104729) % 1000, 1 + x % 9,
        CASE x % 5 WHEN 0 THEN 'returned' WHEN 1 THEN 'pending' ELSE 'shipped' END, date('2023-01-01', '+' || (x % 700) || ' days') FROM n`);
  });
}

/** A database of about `megabytes` MB: `events` rows of ~250 bytes each (text and numbers), one small lookup table. */
export function sizedDb(megabytes: number): Promise<string> {
  const rows = Math.round((megabytes * 1e6) / 262);
  return build(`sized-${megabytes}mb.sqlite`, (db) => {
    db.run('CREATE TABLE kinds (id INTEGER PRIMARY KEY, label TEXT)');
    db.run("INSERT INTO kinds VALUES (0,'view'),(1,'click'),(2,'buy'),(3,'share')");
    db.run('CREATE TABLE events (id INTEGER PRIMARY KEY, user_id INT, kind_id INT REFERENCES kinds(id), amount REAL, payload TEXT)');
    const batch = 500_000;
    for (let from = 0; from < rows; from += batch) {
      const to = Math.min(rows, from + batch);
      db.run(`WITH RECURSIVE n(x) AS (SELECT ${from + 1} UNION ALL SELECT x + 1 FROM n WHERE x < ${to})
        INSERT INTO events SELECT x, x % 50000, x % 4, (x % 1000) / 10.0, hex(randomblob(110)) FROM n`);
    }
  });
}

/**
 * A sparse file of `bytes` bytes (it takes no disk space) that starts like a SQLite database: the largest size a
 * browser can hold is what it tests, not the contents.
 */
export function sparseDbFile(bytes: number): string {
  const path = join(BIG_DIR, `sparse-${(bytes / 1e9).toFixed(1)}gb.sqlite`);
  if (existsSync(path) && statSync(path).size === bytes) return path;
  mkdirSync(BIG_DIR, { recursive: true });
  const head = Buffer.alloc(100);
  head.write('SQLite format 3\u0000', 'latin1');
  head.writeUInt16BE(4096, 16);
  const fd = openSync(path, 'w');
  writeSync(fd, head);
  ftruncateSync(fd, bytes);
  closeSync(fd);
  return path;
}

export function sizeOf(path: string): number {
  return statSync(path).size;
}
