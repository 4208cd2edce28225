import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { childLives, type ChildLife } from '#test/support/child-life.js';
import { startPostgres, type PostgresServer } from '#test/support/postgres.js';
import { waitFor } from '#test/support/wait-for.js';
import { hubSiteBody } from '#test/support/hub-site.js';

const DEVICE = 'sensor-reefer-001';
const CONTAINER = 'REEFER-001';
const HUB = { id: 'HUB-DEPART', lat: 47.32, lon: 5.04, radiusM: 500 };
/** Minutes 0–3 inside the hub (the origin), from minute 4 on 5 km north of it, on the road. */
const LEAVES_AT = 4;
const LAST_TRY = 7;

/**
 * A departure the journey concludes from a reading survives a SIGKILL on PostgreSQL as on SQLite:
 * the reading's process is killed while PostgreSQL has not stored the transition yet (a row lock
 * held by the test keeps its UPDATE waiting), after the journey state that concluded it was
 * written. The next start stores it from the local outbox: in transit, at the minute it left.
 */
describe('shipment departure across SIGKILL, on PostgreSQL (the transition outbox)', () => {
  const env: Record<string, string> = { TELEMETRY_FLUSH_MS: '20', RULES_TICK_MS: '600000' };
  const { dataDir, start } = childLives(DEVICE, env, 'convoi-shipment-crash-');
  let postgres: PostgresServer;

  before(async () => {
    postgres = await startPostgres();
    env.DATABASE_URL = await postgres.createDatabase();
  });
  after(() => postgres?.stop());

  /** Publishes the fix of minute `m` and waits until it is applied (live state). */
  const send = async (life: ChildLife, t0: number, m: number): Promise<void> => {
    const ts = t0 + m * 60_000;
    const lat = m < LEAVES_AT ? HUB.lat + (m % 2 === 0 ? 0.00007 : -0.00007) : HUB.lat + 0.045;
    await life.device.publishAsync(
      deviceTelemetryTopic(DEVICE),
      JSON.stringify({ ts, lat, lon: HUB.lon, temperature: 3 }),
      { qos: 1 },
    );
    await waitFor(`minute ${m} applied`, async () => {
      const { body } = await life.request(`/containers/${CONTAINER}`);
      return body.live?.lastMeasuredAt === ts;
    });
  };

  it('stores the departure at the next start when the process died before PostgreSQL had it', async () => {
    const dir = dataDir();
    const t0 = Math.floor(Date.now() / 60_000) * 60_000 - LAST_TRY * 60_000;
    const first = await start(dir);
    const site = await first.request('/sites', {
      method: 'POST',
      body: hubSiteBody(HUB),
    });
    assert.equal(site.status, 201, JSON.stringify(site.body));
    const created = await first.request('/shipments', {
      method: 'POST',
      body: JSON.stringify({
        containerId: CONTAINER,
        originSiteId: HUB.id,
        destinationSiteId: 'HM-PARIS-VILLIERS',
        profileId: 'chilled-4',
        plannedDeparture: new Date(t0).toISOString(),
        plannedArrival: new Date(t0 + 6 * 3_600_000).toISOString(),
      }),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const shipmentId = created.body.id as string;
    for (let m = 0; m < LEAVES_AT; m++) await send(first, t0, m);

    // The shipment's row locked by another session: the departure's UPDATE waits behind it.
    const blocker = new pg.Client({ connectionString: env.DATABASE_URL });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT id FROM shipments WHERE id = $1 FOR UPDATE', [shipmentId]);
      let left: { at: number } | undefined;
      for (let m = LEAVES_AT; m <= LAST_TRY && left === undefined; m++) {
        await send(first, t0, m);
        const from = new Date(t0).toISOString();
        const { body } = await first.request(`/containers/${CONTAINER}/journey?from=${from}`);
        left = (body.events as { type: string; siteId?: string; at: number }[]).find(
          (e) => e.type === 'leave' && e.siteId === HUB.id,
        );
      }
      assert.ok(left, 'the journey concluded the departure');
      await first.kill();
      // The dead process's sessions: a backend waiting on a lock notices its client is gone only
      // once granted, and would then commit the UPDATE. Ended here, it never reaches the table.
      await blocker.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      );
      await blocker.query('ROLLBACK');

      const second = await start(dir);
      const { body: shipment } = await second.request(`/shipments/${shipmentId}`);
      assert.equal(shipment.status, 'in_transit');
      assert.equal(shipment.departedAt, new Date(left.at).toISOString());
      await second.stop();
    } finally {
      await blocker.end();
    }
  });
});
