// The embedded store's write cost per reading as its readings table grows, outside convoi: SQLite
// alone with the table of embedded-telemetry.migrations.ts, the bench fleet's 75,000 JSON
// containers with one reading each (the warm fleet), then steps of 450,000 readings (a soak
// window at 15,000/s) in transactions of 140 (the soak's mean), on one thread that checkpoints
// itself every WRITER_CHECKPOINT_PAGES. Per step: WAL pages appended a reading, CPU and wall time
// a reading, bytes read and written, the slowest transaction. Run after a build:
//   node dist/test/bench/readings-pages.bench.js [walk|fleet] [steps=8] [container|time]
// `walk`: the load generators' order (two generators, each in id order); `fleet`: scattered, as a
// fleet reports (fleet-order.ts). `time`: a hypothetical layout, a rowid table appended in time
// order with a unique index on container, time and device (for comparison; not convoi's).
// Issue 22's finding (PERFORMANCE.md, "Why the soak's p99 climbs").
import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { WRITER_CHECKPOINT_PAGES } from '#src/storage/wal-checkpointer.js';
import { EMBEDDED_TELEMETRY_MIGRATIONS } from '#src/telemetry/embedded/embedded-telemetry.migrations.js';
import { INSERT_READING_SQL } from '#src/telemetry/embedded/reading-row.js';
import { containerId, devicesOf } from './support/bench-fleet.js';
import { fleetOrder } from './scenarios/fleet-order.js';
import { WalIndexSampler } from './support/wal-index-sampler.js';

const STEP_READINGS = 450_000;
const TRANSACTION_READINGS = 140;
const RATE_PER_S = 15_000;

const [order = 'walk', stepsArg = '8', layout = 'container'] = process.argv.slice(2);
const steps = Number(stepsArg);
const dir = mkdtempSync(join(tmpdir(), 'convoi-readings-pages-'));
const file = join(dir, 'telemetry.sqlite');
const db = new BetterSqlite3(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma(`wal_autocheckpoint = ${WRITER_CHECKPOINT_PAGES}`);
const schema = EMBEDDED_TELEMETRY_MIGRATIONS[0].up as string;
db.exec(
  layout === 'time'
    ? schema.replace(
        /PRIMARY KEY \(container_id, measured_at, device_id\)\s*\) WITHOUT ROWID;/,
        'UNIQUE (container_id, measured_at, device_id));',
      )
    : schema,
);
const insert = db.prepare<(string | number | null)[]>(INSERT_READING_SQL);
const store = db.transaction((rows: (string | number | null)[][]) => {
  for (const row of rows) insert.run(...row);
});

const json = devicesOf('json', 150_000);
// The load generators: two processes, each walking its devices (a hash of the id) in id order.
const generatorOf = (d: number) => (Math.imul(d ^ 0x5bd1e995, 0x85ebca6b) >>> 16) % 2;
const walk = (): number[] => {
  const [a, b] = [json.filter((d) => generatorOf(d) === 0), json.filter((d) => generatorOf(d) === 1)];
  const out: number[] = [];
  for (let k = 0; k < Math.max(a.length, b.length); k++)
    out.push(...(k < a.length ? [a[k]] : []), ...(k < b.length ? [b[k]] : []));
  return out;
};
const devices = order === 'fleet' ? fleetOrder(json) : walk();
let clock = Date.UTC(2026, 11, 8);
let next = 0;
const row = (d: number): (string | number | null)[] => {
  clock += 1000 / RATE_PER_S;
  const at = Math.floor(clock);
  const id = String(d).padStart(6, '0');
  return [
    containerId(d),
    at,
    `dev-json-${id}`,
    at + 5,
    null,
    'json',
    3.5,
    55.5,
    0.12,
    48.1,
    11.5,
    180,
    87,
    0,
    null,
    null,
    null,
    null,
    5,
    0,
  ];
};
store(json.map(row)); // the warm fleet: one reading each

const wal = new WalIndexSampler(file);
wal.start(false);
wal.sample();
wal.take();
const io = () => {
  const text = readFileSync(`/proc/self/task/${process.pid}/io`, 'utf8');
  const field = (key: string) => Number(new RegExp(`^${key}: (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  return { read: field('rchar'), written: field('wchar') };
};
const r2 = (n: number) => Math.round(n * 100) / 100;
console.log(`readings-pages: layout ${layout}, order ${order}, load average ${loadavg()[0].toFixed(1)}`);
for (let step = 1; step <= steps; step++) {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const ioBefore = io();
  let slowestMs = 0;
  for (let t = 0; t < STEP_READINGS / TRANSACTION_READINGS; t++) {
    const rows: (string | number | null)[][] = [];
    for (let k = 0; k < TRANSACTION_READINGS; k++) rows.push(row(devices[next++ % devices.length]));
    const began = performance.now();
    store(rows);
    slowestMs = Math.max(slowestMs, performance.now() - began);
    wal.sample();
  }
  const spent = process.cpuUsage(cpu);
  const ioAfter = io();
  const pages = wal.take().framesAppended;
  console.log(
    `  step ${step}: ${r2(pages / STEP_READINGS)} WAL pages a reading, ` +
      `CPU ${r2((spent.user + spent.system) / STEP_READINGS)} µs, wall ${r2((1000 * (performance.now() - started)) / STEP_READINGS)} µs a reading, ` +
      `read ${Math.round((ioAfter.read - ioBefore.read) / 2 ** 20)} MB, written ${Math.round((ioAfter.written - ioBefore.written) / 2 ** 20)} MB, ` +
      `slowest transaction ${Math.round(slowestMs)} ms`,
  );
}
wal.stop();
db.close();
rmSync(dir, { recursive: true, force: true });
