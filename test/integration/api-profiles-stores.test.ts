import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MqttClient } from 'mqtt';
import { ManualClock } from '#src/common/clock.js';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { startPostgres, withClient, type PostgresServer } from '#test/support/postgres.js';
import { STORE_DIALECTS } from '#test/support/store-dialects.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

const DEVICE = 'sensor-reefer-001';
const CONTAINER = 'REEFER-001';
/** The manual clock's start; the fleet seed binds the devices at that instant. */
const T0 = Date.UTC(2026, 10, 22, 8, 0, 0);
const minute = (m: number): number => T0 + 60_000 + m * 60_000;

/** A planner's profile tighter than chilled-4: at most +2 °C, alert after 2 min above. */
const TIGHT = {
  id: 'tight-2',
  name: 'Tight +2 °C',
  basedOn: 'chilled-4',
  temperature: { minC: 0, maxC: 2 },
  toleratedExcursion: { consecutiveMin: 2, cumulativeMin: 60 },
};

/** Product profiles over REST on each operational store (SQLite file, or PostgreSQL). */
for (const dialect of STORE_DIALECTS)
  describe(`product profiles over REST (${dialect})`, () => {
    const clock = new ManualClock(T0);
    let app: TestApp;
    let postgres: PostgresServer | undefined;
    let url: string | undefined;

    before(async () => {
      postgres = dialect === 'postgres' ? await startPostgres() : undefined;
      url = await postgres?.createDatabase();
      app = await startTestApp({ clock, env: url === undefined ? {} : { DATABASE_URL: url } });
      assert.equal(app.running.app.get(OperationalDatabase).dialect, dialect);
    });
    after(async () => {
      await app.close();
      await postgres?.stop();
    });

    const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
      app.request(path, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) });

    it('creates, reads, updates and deletes a planner’s profile with ETags; seeded ones are read-only', async () => {
      const created = await send('POST', '/api/v1/profiles', { ...TIGHT, id: 'crud-1' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.headers.get('location'), '/api/v1/profiles/crud-1');
      assert.deepEqual(created.body.temperature, { minC: 0, maxC: 2 });
      assert.equal(created.body.seeded, false);
      const duplicate = await send('POST', '/api/v1/profiles', { ...TIGHT, id: 'crud-1' });
      assert.equal(duplicate.status, 409);
      assert.equal(duplicate.body.code, 'profiles.exists');

      const read = await send('GET', '/api/v1/profiles/crud-1');
      assert.equal(read.status, 200);
      const etag = read.headers.get('etag') ?? '';
      assert.equal(etag, created.headers.get('etag'));
      const patched = await send(
        'PATCH',
        '/api/v1/profiles/crud-1',
        { name: 'Renamed' },
        { 'if-match': etag },
      );
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.equal(patched.body.name, 'Renamed');
      assert.equal(
        (await send('PATCH', '/api/v1/profiles/crud-1', { name: 'x' }, { 'if-match': etag })).status,
        412,
      );

      const page = await send('GET', '/api/v1/profiles?limit=100');
      const ids = (page.body.items as { id: string }[]).map((p) => p.id);
      assert.ok(ids.includes('crud-1') && ids.includes('chilled-4') && ids.includes('frozen'), ids.join());
      const seeded = await send('GET', '/api/v1/profiles/frozen');
      const readOnly = await send(
        'PATCH',
        '/api/v1/profiles/frozen',
        { name: 'x' },
        {
          'if-match': seeded.headers.get('etag') ?? '',
        },
      );
      assert.equal(readOnly.status, 409);
      assert.equal(readOnly.body.code, 'profiles.read-only');

      if (url !== undefined) {
        // On PostgreSQL the profiles are in the database, not in the node's SQLite file.
        const { rows } = await withClient(url, (c) =>
          c.query<{ body: string; seeded: boolean }>("SELECT body, seeded FROM profiles WHERE id = 'crud-1'"),
        );
        assert.equal(rows[0]?.seeded, false);
        assert.equal((JSON.parse(rows[0]?.body ?? '{}') as { name?: string }).name, 'Renamed');
      }

      const deleted = await send('DELETE', '/api/v1/profiles/crud-1', undefined, {
        'if-match': patched.headers.get('etag') ?? '',
      });
      assert.equal(deleted.status, 204);
      assert.equal((await send('GET', '/api/v1/profiles/crud-1')).status, 404);
    });

    it('gives a shipment on a planner’s profile that profile’s rules: +3 °C raises its temperature alert', async () => {
      assert.equal((await send('POST', '/api/v1/profiles', TIGHT)).status, 201);
      const shipment = await send('POST', '/api/v1/shipments', {
        containerId: CONTAINER,
        originSiteId: 'DC-LYON-SQF',
        destinationSiteId: 'HM-PARIS-VILLIERS',
        profileId: TIGHT.id,
        plannedDeparture: new Date(T0).toISOString(),
        plannedArrival: new Date(T0 + 8 * 3_600_000).toISOString(),
      });
      assert.equal(shipment.status, 201, JSON.stringify(shipment.body));
      const device: MqttClient = await app.mqtt({ clientId: DEVICE });
      // +3 °C is within chilled-4, the profile it is based on, but above this one's +2 °C.
      for (let m = 0; m <= 4; m++) {
        clock.set(minute(m));
        await device.publishAsync(
          deviceTelemetryTopic(DEVICE),
          JSON.stringify({ ts: minute(m), temperature: 3 }),
          {
            qos: 1,
          },
        );
        await waitFor(`reading of minute ${m} applied`, async () => {
          const { body } = await send('GET', `/api/v1/containers/${CONTAINER}`);
          return body.live?.lastMeasuredAt === minute(m);
        });
      }
      const alert = await waitFor('temperature-high alert of the shipment', async () => {
        const { body } = await send('GET', `/api/v1/alerts?containerId=${CONTAINER}`);
        return (body.items as { ruleId: string; shipmentId?: string }[]).find(
          (a) => a.ruleId === 'temperature-high',
        );
      });
      assert.equal(alert.shipmentId, shipment.body.id);
    });
  });
