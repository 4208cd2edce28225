import type { Database } from 'better-sqlite3';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { decodeInboxRecords, encodeInboxRecords } from '#src/broker/inbox/inbox-record.codec.js';
import { Clock } from '#src/common/clock.js';
import type { AlertEvent } from '#src/contracts/alert-event.js';
import type { Reading } from '#src/contracts/reading.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { TelemetryDatabase } from '#src/telemetry/embedded/telemetry-database.js';
import { alertToLine, readingToLine, type LineProblems } from '#src/telemetry/influx/influx-line-protocol.js';
import { InfluxOutboxStore } from '#src/telemetry/influx/influx-outbox.store.js';
import { startPostgres, withClient } from '#test/support/postgres.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';

const PRIVACY = 'docs/PRIVACY.md';

/**
 * The text of the section of PRIVACY.md whose heading is `### <kind> \`<name>\``, up to the next
 * heading of that level or above; undefined when there is none.
 */
function section(doc: string, kind: 'Table' | 'Measurement' | 'File', name: string): string | undefined {
  const lines = doc.split('\n');
  const start = lines.findIndex((l) => l.trim() === `### ${kind} \`${name}\``);
  if (start < 0) return undefined;
  const end = lines.findIndex((l, i) => i > start && /^#{1,3} /.test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** Missing entries, as instructions: which heading to add, which names to list under it. */
function missing(
  doc: string,
  kind: 'Table' | 'Measurement' | 'File',
  name: string,
  names: readonly string[],
): string[] {
  const body = section(doc, kind, name);
  if (body === undefined)
    return [`add a section "### ${kind} \`${name}\`" listing ${names.map((n) => `\`${n}\``).join(', ')}`];
  return names
    .filter((n) => !body.includes(`\`${n}\``))
    .map((n) => `under "### ${kind} \`${name}\`", document \`${n}\` (what it holds, why)`);
}

/** Measurement, tag keys and field keys of one line of line protocol (no escaped separators here). */
function lineKeys(line: string): { measurement: string; keys: string[] } {
  const [head, fields] = line.split(' ');
  const [measurement, ...tags] = head.split(',');
  const fieldKeys = fields.match(/(?:^|,)([A-Za-z]+)=/g)!.map((m) => m.replace(/[,=]/g, ''));
  return { measurement, keys: [...tags.map((t) => t.split('=')[0]), ...fieldKeys] };
}

const noProblems: LineProblems = { skippedField: () => undefined, skippedPoint: () => undefined };

/** A reading and an alert event with every optional field set: every field the code can write. */
const FULL_READING: Reading = {
  deviceId: 'd',
  containerId: 'c',
  shipmentId: 's',
  profileId: 'p',
  siteId: 'x',
  measuredAt: 1,
  receivedAt: 2,
  source: 'json',
  seq: 1,
  dedupeKey: 'k',
  temperatureC: 1,
  humidityPct: 1,
  shockG: 1,
  lat: 1,
  lon: 1,
  altM: 1,
  batteryPct: 1,
  doorOpen: true,
  quality: { fCnt: 1, fPort: 1, gateways: 1, rssi: 1, snr: 1, lagMs: 1, late: false },
};
const FULL_ALERT: AlertEvent = {
  alertId: 'a',
  change: 'opened',
  containerId: 'c',
  shipmentId: 's',
  deviceId: 'd',
  rule: 'r',
  severity: 'critical',
  status: 'active',
  acknowledged: false,
  value: 1,
  peakValue: 1,
  message: 'm',
  at: 1,
  by: 'k',
};

function tablesOf(db: Database): { table: string; columns: string[] }[] {
  return db
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .all()
    .map(({ name }) => ({
      table: name,
      columns: db
        .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${name.replace(/'/g, "''")}')`)
        .all()
        .map((c) => c.name),
    }));
}

describe('docs/PRIVACY.md inventory', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
    // Tables of adapters not in use in the embedded default: created here so they are checked too.
    const sqlite = app.running.app.get(SqliteDatabase);
    new InfluxOutboxStore(sqlite, app.running.app.get(Clock)).migrate();
  });
  after(() => app.close());

  it('documents every SQLite table and column convoi creates, in each of its files', () => {
    const doc = readFileSync(PRIVACY, 'utf8');
    const main = app.running.app.get(SqliteDatabase).connection;
    const series = app.running.app.get(TelemetryDatabase).connection;
    const tables = [...tablesOf(main), ...tablesOf(series)];
    const names = tables.map((t) => t.table);
    assert.ok(names.includes('readings') && names.includes('audit_log'), 'the walk sees the tables');
    const problems = tables.flatMap(({ table, columns }) => missing(doc, 'Table', table, columns));
    assert.deepEqual(problems, [], `${PRIVACY} is missing:\n  ${problems.join('\n  ')}`);
  });

  it("documents every field of the broker inbox's records", () => {
    const doc = readFileSync(PRIVACY, 'utf8');
    const message = { id: 1, topic: 't', payload: Buffer.from('p'), receivedAt: 2 };
    const [decoded] = decodeInboxRecords(encodeInboxRecords([message])).messages;
    const problems = missing(doc, 'File', 'inbox/*.seg', Object.keys(decoded));
    assert.deepEqual(problems, [], `${PRIVACY} is missing:\n  ${problems.join('\n  ')}`);
  });

  it('documents every InfluxDB measurement, tag and field the line-protocol code writes', () => {
    const doc = readFileSync(PRIVACY, 'utf8');
    const problems = [readingToLine(FULL_READING, noProblems)!, alertToLine(FULL_ALERT, noProblems)!].flatMap(
      (line) => {
        const { measurement, keys } = lineKeys(line);
        return missing(doc, 'Measurement', measurement, keys);
      },
    );
    assert.deepEqual(problems, [], `${PRIVACY} is missing:\n  ${problems.join('\n  ')}`);
  });

  it('states what convoi never collects', () => {
    const doc = readFileSync(PRIVACY, 'utf8');
    for (const phrase of [/never collects/i, /no customer/i, /camera/i, /positions are of containers/i])
      assert.match(doc, phrase);
  });
});

describe('docs/PRIVACY.md inventory of PostgreSQL (DATABASE_URL)', () => {
  it('documents every PostgreSQL table and column convoi creates (partitions under their table)', async () => {
    const postgres = await startPostgres();
    try {
      const url = await postgres.createDatabase();
      // Then with INFLUX_URL (nobody listens there): the InfluxDB adapter creates its outbox's tables
      // (and the time series stay out of PostgreSQL, so the first start makes theirs).
      const starts: Record<string, string>[] = [
        { DATABASE_URL: url },
        { DATABASE_URL: url, INFLUX_URL: 'http://127.0.0.1:9' },
      ];
      for (const env of starts) {
        const app = await startTestApp({ env });
        await app.close();
      }
      const { rows } = await withClient(url, (c) =>
        c.query<{ table: string; column: string }>(
          `SELECT c.relname AS table, a.attname AS column FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
           ORDER BY c.relname, a.attnum`,
        ),
      );
      const tables = new Map<string, string[]>();
      for (const { table, column } of rows) tables.set(table, [...(tables.get(table) ?? []), column]);
      assert.ok(
        [
          'readings',
          'audit_log',
          'api_keys',
          'shipments',
          'sites',
          'containers',
          'devices',
          'device_bindings',
          'influx_outbox',
          'influx_dead_letter',
        ].every((t) => tables.has(t)),
        `the walk sees the tables: ${[...tables.keys()].join(', ')}`,
      );
      const doc = readFileSync(PRIVACY, 'utf8');
      const problems = [...tables].flatMap(([table, columns]) => missing(doc, 'Table', table, columns));
      assert.deepEqual(problems, [], `${PRIVACY} is missing:\n  ${problems.join('\n  ')}`);
      assert.match(
        section(doc, 'Table', 'readings') ?? '',
        /PostgreSQL/,
        'the readings section says where they are on PostgreSQL',
      );
    } finally {
      await postgres.stop();
    }
  });
});
