import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { MqttClient } from 'mqtt';
import type { Reading } from '#src/contracts/reading.js';
import { RuleEngine } from '#src/rules/rule-engine.service.js';
import {
  CHIRPSTACK,
  CHIRPSTACK_TOPIC,
  chirpstackUplink,
  metricValue,
  temperatureFrame,
  toPayload,
  TTS,
  TTS_TOPIC,
  ttsUplink,
} from '#test/support/lorawan/lorawan-uplinks.js';
import { startTestApp, type TestApp } from '#test/support/test-app.js';
import { waitFor } from '#test/support/wait-for.js';

/** Duplicates, late frames, frame-counter gaps and resets, end to end over the real broker. */
describe('LoRaWAN frame handling over the real broker', () => {
  let app: TestApp;
  let networkServer: MqttClient;
  /** Every reading handed to the rules (by ReadingProcessor). */
  const evaluated: (Reading & { lostFrames?: number })[] = [];

  before(async () => {
    app = await startTestApp();
    const rules = app.running.app.get(RuleEngine);
    const evaluate = rules.evaluate.bind(rules);
    rules.evaluate = (readings) => {
      evaluated.push(...readings);
      evaluate(readings);
    };
    networkServer = await app.mqtt({ clientId: 'network-server' });
  });
  after(() => app.close());

  const publish = (topic: string, body: object) =>
    networkServer.publishAsync(topic, toPayload(body), { qos: 1 });
  const radio = async (deviceId: string) => {
    const { status, body } = await app.request(`/api/v1/devices/${deviceId}/radio`);
    assert.equal(status, 200);
    return body;
  };
  const readingsAt = async (containerId: string, at: number) => {
    const q = `from=${new Date(at - 1).toISOString()}&to=${new Date(at + 1).toISOString()}&limit=100`;
    const { body } = await app.request(`/api/v1/containers/${containerId}/readings?${q}`);
    return (body.items as any[]).filter((r) => r.measuredAt === at);
  };
  const evaluatedAt = (deviceId: string, at: number) =>
    evaluated.filter((r) => r.deviceId === deviceId && r.measuredAt === at);

  it('stores and evaluates once an uplink delivered three times (redelivery, three gateways)', async () => {
    const dupChirpstack = 'convoi_ingest_duplicates_total{source="chirpstack"}';
    const dupTts = 'convoi_ingest_duplicates_total{source="tts"}';
    const before = { cs: await metricValue(app, dupChirpstack), tts: await metricValue(app, dupTts) };
    const at = Date.now() - 1000;
    // ChirpStack: one event (one deduplicationId) redelivered by the broker.
    const event = chirpstackUplink({
      fCnt: 20,
      at,
      values: temperatureFrame(2.5),
      deduplicationId: randomUUID(),
    });
    for (let i = 0; i < 3; i++) await publish(CHIRPSTACK_TOPIC, event);
    // TTS: the same frame forwarded once per gateway, each with its own radio metadata.
    for (const [i, rssi] of [-110, -95, -101].entries()) {
      const gateways = [{ id: `gw-${i}`, rssi, snr: i }];
      await publish(TTS_TOPIC, ttsUplink({ fCnt: 30, at, values: temperatureFrame(3.5), gateways }));
    }
    await waitFor(
      'two duplicates per source',
      async () =>
        (await metricValue(app, dupChirpstack)) === before.cs + 2 &&
        (await metricValue(app, dupTts)) === before.tts + 2,
    );
    assert.equal(evaluatedAt(CHIRPSTACK.deviceId, at).length, 1, 'ChirpStack uplink evaluated once');
    assert.equal(evaluatedAt(TTS.deviceId, at).length, 1, 'TTS uplink evaluated once');
    const stored = await waitFor('both stored', async () => {
      const cs = await readingsAt(CHIRPSTACK.containerId, at);
      const tts = await readingsAt(TTS.containerId, at);
      return cs.length > 0 && tts.length > 0 ? { cs, tts } : undefined;
    });
    assert.equal(stored.cs.length, 1);
    assert.equal(stored.tts.length, 1);
    assert.equal(stored.tts[0].quality.rssi, -110, 'the first delivery is the one kept');
    assert.equal((await radio(CHIRPSTACK.deviceId)).duplicates, 2);
    assert.equal((await radio(TTS.deviceId)).duplicates, 2);
  });

  it('stores a late frame (older counter and time) in its place without replacing newer live state', async () => {
    const start = await radio(CHIRPSTACK.deviceId);
    const now = Date.now();
    const lateAt = now - 5 * 60_000;
    await publish(
      CHIRPSTACK_TOPIC,
      chirpstackUplink({ fCnt: start.lastFCnt + 3, at: now, values: temperatureFrame(5.5) }),
    );
    await waitFor(
      'newer frame',
      async () => (await radio(CHIRPSTACK.deviceId)).lastFCnt === start.lastFCnt + 3,
    );
    await publish(
      CHIRPSTACK_TOPIC,
      chirpstackUplink({ fCnt: start.lastFCnt + 2, at: lateAt, values: temperatureFrame(9.1) }),
    );
    const [late] = await waitFor('late frame stored', async () => {
      const rows = await readingsAt(CHIRPSTACK.containerId, lateAt);
      return rows.length > 0 ? rows : undefined;
    });
    assert.equal(late.temperatureC, 9.1);
    assert.equal(late.quality.fCnt, start.lastFCnt + 2);
    assert.equal(late.quality.late, true);
    const { body } = await app.request(`/api/v1/containers/${CHIRPSTACK.containerId}`);
    assert.deepEqual(body.live.values.temperatureC, { value: 5.5, measuredAt: now });
    assert.equal(body.live.lastMeasuredAt, now);
    const status = await radio(CHIRPSTACK.deviceId);
    assert.equal(status.lastFCnt, start.lastFCnt + 3);
    // Two counters skipped, one of them arrived late: one frame still lost.
    assert.equal(status.lostFrames, start.lostFrames + 1);
  });

  it('counts an fCnt gap of 5 as 5 lost frames, in the radio status, the metric and the reading', async () => {
    const lostMetric = 'convoi_lorawan_frames_lost_total';
    const metricBefore = await metricValue(app, lostMetric);
    const start = await radio(TTS.deviceId);
    const at = Date.now();
    await publish(TTS_TOPIC, ttsUplink({ fCnt: start.lastFCnt + 6, at, values: temperatureFrame(3.9) }));
    const status = await waitFor('gap counted', async () => {
      const s = await radio(TTS.deviceId);
      return s.lastFCnt === start.lastFCnt + 6 ? s : undefined;
    });
    assert.equal(status.lostFrames, start.lostFrames + 5);
    assert.equal(await metricValue(app, lostMetric), metricBefore + 5);
    const [reading] = evaluatedAt(TTS.deviceId, at);
    assert.equal(reading.lostFrames, 5, 'rules see the loss on the reading after the gap');
  });

  it('reports a counter reset to 0, and keeps the frame instead of calling it a duplicate', async () => {
    // A device up for a while (counter past the late window), so going back to 0 cannot be a late frame 0.
    const before = await radio(CHIRPSTACK.deviceId);
    await publish(
      CHIRPSTACK_TOPIC,
      chirpstackUplink({ fCnt: before.lastFCnt + 40, at: Date.now(), values: temperatureFrame(-2) }),
    );
    const start = await waitFor('counter advanced', async () => {
      const s = await radio(CHIRPSTACK.deviceId);
      return s.lastFCnt === before.lastFCnt + 40 ? s : undefined;
    });
    const dupMetric = 'convoi_ingest_duplicates_total{source="chirpstack"}';
    const dupBefore = await metricValue(app, dupMetric);
    const resetsBefore = await metricValue(app, 'convoi_lorawan_fcnt_resets_total');
    const at = Date.now() + 500;
    const sentAt = Date.now();
    await publish(CHIRPSTACK_TOPIC, chirpstackUplink({ fCnt: 0, at, values: temperatureFrame(-1.5) }));
    const status = await waitFor('reset reported', async () => {
      const s = await radio(CHIRPSTACK.deviceId);
      return s.resets === start.resets + 1 ? s : undefined;
    });
    assert.equal(status.lastFCnt, 0);
    assert.ok(status.lastResetAt >= sentAt, `lastResetAt ${status.lastResetAt}`);
    assert.equal(status.duplicates, start.duplicates);
    assert.equal(await metricValue(app, dupMetric), dupBefore);
    assert.equal(await metricValue(app, 'convoi_lorawan_fcnt_resets_total'), resetsBefore + 1);
    const live = await waitFor('reset frame in live state', async () => {
      const { body } = await app.request(`/api/v1/containers/${CHIRPSTACK.containerId}`);
      return body.live.lastMeasuredAt === at ? body.live : undefined;
    });
    assert.equal(live.values.temperatureC.value, -1.5);
    // The new session goes on normally: fCnt 1 is the next frame, nothing lost.
    await publish(
      CHIRPSTACK_TOPIC,
      chirpstackUplink({ fCnt: 1, at: at + 1000, values: temperatureFrame(-1.4) }),
    );
    const next = await waitFor('next frame', async () => {
      const s = await radio(CHIRPSTACK.deviceId);
      return s.lastFCnt === 1 ? s : undefined;
    });
    assert.equal(next.lostFrames, status.lostFrames);
  });

  it('keys a rejoined TTS session apart, so its counter 0 is a reset, not a repeat of the last session', async () => {
    const send = (fCnt: number, sessionKeyId: string, temperatureC: number, at = Date.now()) =>
      publish(TTS_TOPIC, ttsUplink({ fCnt, at, values: temperatureFrame(temperatureC), sessionKeyId }));
    for (const fCnt of [0, 1, 2]) await send(fCnt, 'c2Vzc2lvbi1h', 4 + fCnt / 10);
    const start = await waitFor('first session', async () => {
      const s = await radio(TTS.deviceId);
      return s.lastFCnt === 2 ? s : undefined;
    });
    const at = Date.now() + 500;
    await send(0, 'c2Vzc2lvbi1i', 6.6, at);
    const live = await waitFor('rejoined frame in live state', async () => {
      const { body } = await app.request(`/api/v1/containers/${TTS.containerId}`);
      return body.live.lastMeasuredAt === at ? body.live : undefined;
    });
    assert.equal(live.values.temperatureC.value, 6.6);
    const status = await radio(TTS.deviceId);
    assert.equal(status.resets, start.resets + 1);
    assert.equal(status.lastFCnt, 0);
    assert.equal(status.duplicates, start.duplicates);
  });

  it('answers 404 for the radio status of an unknown device', async () => {
    const { status, body } = await app.request('/api/v1/devices/ghost-42/radio');
    assert.equal(status, 404);
    assert.equal(body.code, 'fleet.device-not-found');
  });
});
