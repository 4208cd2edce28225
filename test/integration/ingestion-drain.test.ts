import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { FleetImportService } from '#src/fleet/fleet-import.service.js';
import { LiveStateService } from '#src/fleet/live-state.service.js';
import { IngestInbox } from '#src/ingestion/inbox/ingest-inbox.js';
import { InboxDrain } from '#src/ingestion/transport/inbox.drain.js';
import { Metrics } from '#src/common/metrics.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

const DEVICES = 200;
const MESSAGES = 6000;

describe(`${InboxDrain.name} draining a backlog in the running platform`, () => {
  let app: TestApp;

  before(async () => {
    // The broker on the main thread: the test appends to its inbox in-process, without sockets.
    app = await startTestApp({ env: { LOG_LEVEL: 'warn', FLEET_SEED_FILE: '', BROKER_THREAD: 'false' } });
    await app.running.app.get(FleetImportService).import({
      sites: [],
      containers: Array.from({ length: DEVICES }, (_, i) => ({
        id: `DR-C-${i}`,
        kind: 'roll-cage',
        label: `C ${i}`,
      })),
      devices: Array.from({ length: DEVICES }, (_, i) => ({
        id: `DR-D-${i}`,
        format: 'json',
        containerId: `DR-C-${i}`,
      })),
    });
  });
  after(() => app.close());

  const stored = async (): Promise<number> => {
    const metric = app.running.app
      .get(Metrics)
      .registry.getSingleMetric('convoi_telemetry_points_written_total');
    return (await metric?.get())?.values[0]?.value ?? 0;
  };

  it('answers HTTP while thousands of messages drain, and stores them all in order', async () => {
    const inbox = app.running.app.get(IngestInbox);
    const t0 = Date.now() - MESSAGES * 10;
    const before = await stored();
    // Three group commits of the inbox, queued at once: one drain that used to hold the event
    // loop from the first message to the last.
    for (let i = 0; i < MESSAGES; i++) {
      const payload = { ts: t0 + i * 10, seq: i, temperature: 3 + (i % 50) / 10 };
      inbox.append(
        deviceTelemetryTopic(`DR-D-${i % DEVICES}`),
        Buffer.from(JSON.stringify(payload)),
        () => {},
      );
    }
    const answeredAt: number[] = [];
    const answered = (async () => {
      for (let i = 0; i < 3; i++) {
        const { status } = await app.request('/health');
        assert.equal(status, 200);
        answeredAt.push((await stored()) - before);
      }
    })();
    await waitFor('every message stored', async () => (await stored()) - before >= MESSAGES, 60_000);
    await answered;
    assert.ok(
      answeredAt[0] < MESSAGES,
      `the first HTTP answer came after ${answeredAt[0]} of ${MESSAGES} readings were stored`,
    );
    const live = app.running.app.get(LiveStateService);
    for (const d of [0, 1, DEVICES - 1]) {
      const last = MESSAGES - DEVICES + d;
      assert.equal(
        live.get(`DR-C-${d}`)?.lastMeasuredAt,
        t0 + last * 10,
        `container ${d} shows its newest reading`,
      );
    }
  });
});
