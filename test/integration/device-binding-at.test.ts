import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MqttClient } from 'mqtt';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { startAppOnStore, type AppOnStore } from '#test/support/app-on-store.js';
import { STORE_DIALECTS } from '#test/support/store-dialects.js';
import type { TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

const MIN = 60_000;

for (const dialect of STORE_DIALECTS)
  describe(`a device bound without \`at\`, then fixed with \`at\` (${dialect})`, () => {
    let app: TestApp;
    let store: AppOnStore;

    before(async () => {
      store = await startAppOnStore(dialect);
      app = store.app;
    });
    after(() => store.close());

    const post = (path: string, body: unknown) =>
      app.request(path, { method: 'POST', body: JSON.stringify(body) });

    const setUp = async (container: string, device: string): Promise<MqttClient> => {
      assert.equal(
        (await post('/api/v1/containers', { id: container, kind: 'reefer', label: container })).status,
        201,
      );
      assert.equal((await post('/api/v1/devices', { id: device, format: 'json' })).status, 201);
      return app.mqtt({ clientId: device });
    };
    const publish = (client: MqttClient, device: string, ts: number, temperature: number) =>
      client.publishAsync(deviceTelemetryTopic(device), JSON.stringify({ ts, temperature }), { qos: 1 });
    const readingsOf = async (container: string, from: number) =>
      (await app.request(`/api/v1/containers/${container}/readings?from=${new Date(from).toISOString()}`))
        .body.items as { measuredAt: number; temperatureC: number }[];

    it('refuses buffered readings with a detail that gives the bind with `at`, which then works', async () => {
      const [container, device] = ['BIND-AT-1', 'sensor-bind-at-1'];
      const client = await setUp(container, device);
      const bound = await post(`/api/v1/devices/${device}/bind`, { containerId: container });
      assert.equal(bound.status, 200, JSON.stringify(bound.body));
      const buffered = Date.now() - 10 * MIN;
      await publish(client, device, buffered, 4.1);

      const rejection = await waitFor('the unbound-device rejection', async () => {
        const { body } = await app.request(`/api/v1/devices/${device}/rejections`);
        return body.items.find((r: { reason: string }) => r.reason === 'unbound-device');
      });
      const at = new Date(buffered).toISOString();
      assert.match(
        rejection.detail,
        new RegExp(`its binding to ${container} starts at ${new Date(bound.body.boundAt).toISOString()}`),
      );
      const call = `POST /api/v1/devices/${device}/bind {"containerId":"${container}","at":"${at}"}`;
      assert.ok(rejection.detail.endsWith(call), rejection.detail);

      // The call the detail gives, as given: the binding now starts earlier.
      const fixed = await post(`/api/v1/devices/${device}/bind`, { containerId: container, at });
      assert.equal(fixed.status, 200, JSON.stringify(fixed.body));
      assert.equal(fixed.body.boundAt, buffered);
      const history = (await app.request(`/api/v1/devices/${device}/bindings`)).body.items;
      assert.deepEqual(
        history.map((b: { containerId: string; boundAt: number; unboundAt?: number }) => [
          b.containerId,
          b.boundAt,
          b.unboundAt,
        ]),
        [[container, buffered, undefined]],
      );
      // The refused reading, sent again by the device, is now accepted: its refusal left nothing in
      // the dedupe window that would pass it for a repeat. So is the next buffered one.
      await publish(client, device, buffered, 4.1);
      await publish(client, device, buffered + MIN, 4.2);
      const rows = await waitFor('the buffered readings stored', async () => {
        const items = await readingsOf(container, buffered - MIN);
        return items.length > 1 ? items : undefined;
      });
      assert.deepEqual(
        rows.map((r) => [r.measuredAt, r.temperatureC]),
        [
          [buffered, 4.1],
          [buffered + MIN, 4.2],
        ],
      );
    });

    it('accepts the earlier bind after an unbind too, and still refuses to rewrite older history', async () => {
      const [container, device] = ['BIND-AT-2', 'sensor-bind-at-2'];
      const client = await setUp(container, device);
      assert.equal((await post(`/api/v1/devices/${device}/bind`, { containerId: container })).status, 200);
      // The planner's first attempt: unbind, to bind again.
      const unbound = await post(`/api/v1/devices/${device}/unbind`, {});
      assert.equal(unbound.status, 200, JSON.stringify(unbound.body));
      const earlier = Date.now() - 30 * MIN;
      const rebound = await post(`/api/v1/devices/${device}/bind`, {
        containerId: container,
        at: new Date(earlier).toISOString(),
      });
      assert.equal(rebound.status, 200, JSON.stringify(rebound.body));
      assert.deepEqual([rebound.body.boundAt, rebound.body.unboundAt], [earlier, undefined]);
      assert.equal((await app.request(`/api/v1/devices/${device}`)).body.containerId, container);
      await publish(client, device, earlier + MIN, 3.3);
      await waitFor('reading stored', async () => (await readingsOf(container, earlier)).length === 1);

      // Another container, before the history's end: the stored readings were attributed by it.
      const other = 'BIND-AT-2B';
      assert.equal(
        (await post('/api/v1/containers', { id: other, kind: 'reefer', label: other })).status,
        201,
      );
      const rewrite = await post(`/api/v1/devices/${device}/bind`, {
        containerId: other,
        at: new Date(earlier - MIN).toISOString(),
      });
      assert.equal(rewrite.status, 409);
      assert.equal(rewrite.body.code, 'fleet.binding-before-history');
      assert.match(
        rewrite.body.detail,
        new RegExp(`only its newest binding \\(container ${container}\\) can be moved earlier`),
      );
      const same = await post(`/api/v1/devices/${device}/bind`, { containerId: container });
      assert.equal(same.status, 409);
      assert.equal(same.body.code, 'fleet.already-bound');
    });
  });
