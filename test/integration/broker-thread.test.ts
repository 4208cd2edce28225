import assert from 'node:assert/strict';
import type { Worker } from 'node:worker_threads';
import { after, before, describe, it } from 'node:test';
import { BrokerService } from '#src/broker/broker.service.js';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

const DEVICE = 'sensor-reefer-001';
const CONTAINER = 'REEFER-001';

/** The broker thread of a running app (private: reached into only to kill it). */
function brokerWorker(app: TestApp): Worker {
  const broker: unknown = app.running.app.get(BrokerService);
  return (broker as { runtime: { worker: Worker } }).runtime.worker;
}

describe('the broker on its own thread (BROKER_THREAD, the default)', () => {
  let app: TestApp;

  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  const temperatureOf = async (): Promise<number | undefined> =>
    (await app.request(`/api/v1/containers/${CONTAINER}`)).body.live?.values?.temperatureC?.value;

  const publishOnce = async (temperature: number): Promise<void> => {
    const device = await app.mqtt({ clientId: DEVICE });
    try {
      await device.publishAsync(
        deviceTelemetryTopic(DEVICE),
        JSON.stringify({ ts: new Date().toISOString(), temperature }),
        { qos: 1 },
      );
    } finally {
      await device.endAsync();
    }
  };

  it('runs the broker off the main thread and still carries readings to the store', async () => {
    assert.equal(app.running.app.get(BrokerService).instance(), undefined, 'no Aedes on the main thread');
    await publishOnce(3.1);
    await waitFor('reading stored', async () => (await temperatureOf()) === 3.1, 5000);
  });

  it("shows the broker thread's metrics in /metrics", async () => {
    const device = await app.mqtt({ clientId: 'metrics-watcher' });
    try {
      const { body } = await app.request('/metrics');
      const line = (body as string).split('\n').find((l) => l.startsWith('convoi_broker_connections '));
      assert.ok(line !== undefined, 'broker gauge exported');
      assert.ok(Number(line.split(' ')[1]) >= 1, line);
      assert.equal(
        (body as string).match(/^convoi_process_process_cpu_seconds_total /gm)?.length,
        1,
        'process metrics exactly once',
      );
    } finally {
      await device.endAsync();
    }
  });

  it('restarts a broker thread that died, on the same port, and goes on ingesting', async () => {
    const broker = app.running.app.get(BrokerService);
    const port = broker.port();
    const dead = brokerWorker(app);
    await dead.terminate();
    await waitFor('a new broker thread', () => brokerWorker(app) !== dead && broker.isListening(), 10_000);
    assert.equal(broker.port(), port);
    const { body } = await app.request('/health');
    assert.equal(body.checks.broker.status, 'up');
    await publishOnce(4.2);
    await waitFor('reading stored after restart', async () => (await temperatureOf()) === 4.2, 5000);
  });
});
