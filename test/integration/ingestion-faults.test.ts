import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Reading } from '#src/contracts/reading.js';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { JourneyTracker } from '#src/journeys/journey-tracker.service.js';
import { RuleEngine } from '#src/rules/rule-engine.service.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

const DEVICE = 'sensor-reefer-001';
const CONTAINER = 'REEFER-001';

describe('a fault after storage', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app?.close());

  it('neither refuses the stored readings nor keeps them from the stages after it', async () => {
    // The fault is injected into the rules stage; journeys, the stage after it, must still run.
    app.running.app.get(RuleEngine).evaluate = () => {
      throw new Error('a rule failed');
    };
    const journeys = app.running.app.get(JourneyTracker);
    const onReadings = journeys.onReadings.bind(journeys);
    const seen: Reading[] = [];
    journeys.onReadings = (readings) => {
      seen.push(...readings);
      onReadings(readings);
    };
    const ts = Date.now() - 1000;
    const device = await app.mqtt({ clientId: DEVICE });
    await device.publishAsync(deviceTelemetryTopic(DEVICE), JSON.stringify({ ts, temperature: 4.4 }), {
      qos: 1,
    });
    const from = new Date(ts).toISOString();
    const to = new Date(ts + 1).toISOString();
    await waitFor('the reading stored', async () => {
      const { body } = await app.request(`/api/v1/containers/${CONTAINER}/readings?from=${from}&to=${to}`);
      return body.items.length === 1;
    });
    assert.deepEqual(
      seen.map((r) => r.temperatureC),
      [4.4],
    );
    const { body } = await app.request('/api/v1/rejections');
    assert.deepEqual(body.items, []);
  });
});
