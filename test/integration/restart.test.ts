import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { startTestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

describe('restart on the same data dir', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'convoi-restart-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps readings and live state', async () => {
    const first = await startTestApp({ dataDir });
    const device = await first.mqtt({ clientId: 'sensor-pal-7001' });
    const ts = Date.now() - 1000;
    await device.publishAsync(
      deviceTelemetryTopic('sensor-pal-7001'),
      JSON.stringify({ ts, temperature: -21.5 }),
      {
        qos: 1,
      },
    );
    await waitFor('reading stored', async () => {
      const { body } = await first.request('/api/v1/containers/PAL-7001/readings');
      return body.items.length === 1;
    });
    await first.close();

    const second = await startTestApp({ dataDir });
    try {
      const { body: container } = await second.request('/api/v1/containers/PAL-7001');
      assert.equal(container.live.values.temperatureC.value, -21.5);
      assert.equal(container.live.lastMeasuredAt, ts);
      const { body: history } = await second.request('/api/v1/containers/PAL-7001/readings');
      assert.deepEqual(
        history.items.map((r: any) => [r.measuredAt, r.temperatureC]),
        [[ts, -21.5]],
      );
    } finally {
      await second.close();
    }
  });
});
