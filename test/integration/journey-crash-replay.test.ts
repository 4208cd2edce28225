import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { childLives, type ChildLife } from '#test/support/child-life.js';
import { waitFor } from '#test/support/wait-for.js';
import { hubSiteBody } from '#test/support/hub-site.js';

const DEVICE = 'sensor-reefer-001';
const CONTAINER = 'REEFER-001';
const HUB = { id: 'HUB-CRASH', lat: 47.32, lon: 5.04, radiusM: 500 };
const ENV = { TELEMETRY_FLUSH_MS: '20', RULES_TICK_MS: '600000' };
/** Minutes 0–3 on the road 5 km north of the hub, from minute 4 on inside it. */
const ENTERS_AT = 4;
const LAST = 8;

/**
 * A crash forgets nothing of a journey: convoi is killed (SIGKILL) right after the fix that
 * enters a site is stored, and after the one that follows; started again on the same data dir,
 * the fixes go on. Exactly one `enter` is recorded, dated at the first fix inside: the state that
 * entered was written with its event, and the replay of the inbox acts on neither again.
 */
describe('journey across SIGKILL (a geofence crossing and the replay of the inbox)', () => {
  const { dataDir: freshDataDir, start } = childLives(DEVICE, ENV, 'convoi-journey-crash-');

  /** Publishes the fix of minute `m` and waits until it is applied (live state) and stored. */
  const send = async (life: ChildLife, t0: number, m: number): Promise<void> => {
    const ts = t0 + m * 60_000;
    // Inside: the hub's centre with ±8 m of GPS jitter; before: 5 km north of it.
    const lat = m < ENTERS_AT ? HUB.lat + 0.045 : HUB.lat + (m % 2 === 0 ? 0.00007 : -0.00007);
    await life.device.publishAsync(
      deviceTelemetryTopic(DEVICE),
      JSON.stringify({ ts, lat, lon: HUB.lon, temperature: 3 }),
      { qos: 1 },
    );
    await waitFor(`minute ${m} applied and stored`, async () => {
      const { body: container } = await life.request(`/containers/${CONTAINER}`);
      if (container.live?.lastMeasuredAt !== ts) return false;
      const from = new Date(ts).toISOString();
      const { body: stored } = await life.request(`/containers/${CONTAINER}/readings?from=${from}`);
      return (stored.items as { measuredAt: number }[]).some((r) => r.measuredAt === ts);
    });
  };

  for (const killAfter of [ENTERS_AT, ENTERS_AT + 1]) {
    it(`records one enter, at minute ${ENTERS_AT}, when killed after minute ${killAfter}`, async () => {
      const dataDir = freshDataDir();
      const t0 = Math.floor(Date.now() / 60_000) * 60_000 - LAST * 60_000;

      const first = await start(dataDir);
      const site = await first.request('/sites', {
        method: 'POST',
        body: hubSiteBody(HUB),
      });
      assert.equal(site.status, 201, JSON.stringify(site.body));
      for (let m = 0; m <= killAfter; m++) await send(first, t0, m);
      await first.kill();

      const second = await start(dataDir);
      for (let m = killAfter + 1; m <= LAST; m++) await send(second, t0, m);
      const from = new Date(t0).toISOString();
      const { body } = await second.request(`/containers/${CONTAINER}/journey?from=${from}`);
      const enters = (body.events as { type: string; siteId?: string; at: number }[]).filter(
        (e) => e.type === 'enter' && e.siteId === HUB.id,
      );
      assert.deepEqual(
        enters.map((e) => (e.at - t0) / 60_000),
        [ENTERS_AT],
        'one enter, at the first fix inside',
      );
      await second.stop();
    });
  }
});
