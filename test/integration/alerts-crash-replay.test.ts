import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { childLives } from '#test/support/child-life.js';
import { startPostgres, type PostgresServer } from '#test/support/postgres.js';
import { waitFor } from '#test/support/wait-for.js';

const DEVICE = 'sensor-pal-7001';
const CONTAINER = 'PAL-7001';

interface AlertView {
  id: string;
  status: string;
  count: number;
  history: { change: string }[];
}

/**
 * An alert raised just before a SIGKILL is in PostgreSQL after the restart, once: the reading's
 * process is killed while PostgreSQL has not stored the alert yet (a lock held by the test keeps
 * its INSERT waiting), after the change was kept in the local outbox. The next start stores it
 * from there, loads it into memory, and the next reading updates it rather than opening another.
 */
describe('an alert raised just before SIGKILL, on PostgreSQL (the alert outbox)', () => {
  const env: Record<string, string> = { TELEMETRY_FLUSH_MS: '20', RULES_TICK_MS: '600000' };
  const { dataDir, start } = childLives(DEVICE, env, 'convoi-alert-crash-');
  let postgres: PostgresServer;

  before(async () => {
    postgres = await startPostgres();
    env.DATABASE_URL = await postgres.createDatabase();
  });
  after(() => postgres?.stop());

  /** The alert changes kept in the SQLite file, waiting for PostgreSQL. */
  const outbox = (dir: string): { alert: string; entry: string | null }[] => {
    const db = new Database(join(dir, 'convoi.sqlite'), { readonly: true });
    try {
      return db.prepare<[], { alert: string; entry: string | null }>('SELECT * FROM alert_outbox').all();
    } finally {
      db.close();
    }
  };

  it('stores the alert once at the next start when the process died before PostgreSQL had it', async () => {
    const dir = dataDir();
    const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;
    const first = await start(dir);
    const battery = (m: number, pct: number) =>
      JSON.stringify({ ts: t0 + m * 60_000, battery: pct, temperature: 3 });

    // Every write to alerts waits behind the test's lock; reads go on.
    const blocker = new pg.Client({ connectionString: env.DATABASE_URL });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE alerts IN EXCLUSIVE MODE');
      await first.device.publishAsync(deviceTelemetryTopic(DEVICE), battery(0, 15), { qos: 1 });
      const kept = await waitFor('the opened alert kept in the outbox', () =>
        outbox(dir).find((r) => r.entry !== null && r.entry.includes('"opened"')),
      );
      const alertId = (JSON.parse(kept.alert) as { id: string }).id;
      await first.kill();
      // The dead process's sessions: a backend waiting on a lock notices its client is gone only
      // once granted, and would then commit the INSERT. Ended here, it never reaches the table.
      await blocker.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      );
      const before = await blocker.query('SELECT count(*)::int AS n FROM alerts');
      assert.equal(before.rows[0].n, 0, 'PostgreSQL did not have the alert when the process died');
      await blocker.query('ROLLBACK');

      const second = await start(dir);
      const { body: list } = await second.request(`/alerts?containerId=${CONTAINER}`);
      assert.deepEqual(
        (list.items as { id: string }[]).map((a) => a.id),
        [alertId],
        'the alert, once',
      );
      assert.deepEqual(outbox(dir), [], 'the outbox is empty once PostgreSQL has it');

      // Memory holds it again: the next low reading updates it, no second alert opens.
      await second.device.publishAsync(deviceTelemetryTopic(DEVICE), battery(1, 12), { qos: 1 });
      const alert = await waitFor('the alert updated', async () => {
        const { body } = await second.request(`/alerts/${alertId}`);
        return (body as AlertView).count === 2 && (body as AlertView);
      });
      assert.deepEqual(
        alert.history.map((h) => h.change),
        ['opened', 'updated'],
        'one opening; the lower battery is a worse peak',
      );
      const { body: again } = await second.request(`/alerts?containerId=${CONTAINER}`);
      assert.equal(again.items.length, 1);
      await second.stop();
    } finally {
      await blocker.end();
    }
  });
});
