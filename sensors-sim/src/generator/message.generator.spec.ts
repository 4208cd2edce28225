import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { SCENARIOS } from '../../scenarios/scenario-catalog.js';
import { loadScenario } from '../scenario/scenario.loader.js';
import type { WireFormat } from '../scenario/scenario.types.js';
import { buildWorld } from '../world/fleet.js';
import { generateMessages, type SimMessage } from './message.generator.js';

const START = Date.parse('2026-03-02T04:00:00Z');

function run(name: string, seed: string, format: WireFormat, durationMs = 3 * 3_600_000): SimMessage[] {
  const world = buildWorld(loadScenario(name), { seed, startMs: START, durationMs });
  return [...generateMessages(world, format)];
}

function digest(messages: readonly SimMessage[]): string {
  const h = createHash('sha256');
  for (const m of messages) h.update(`${m.atSimMs}\n${m.topic}\n`).update(m.payload);
  return h.digest('hex');
}

describe(generateMessages.name, () => {
  for (const format of ['json', 'chirpstack', 'tts'] as const) {
    it(`gives the same bytes for the same seed (${format})`, () => {
      const a = run('lora-chaos', 'seed-1', format);
      const b = run('lora-chaos', 'seed-1', format);
      assert.ok(a.length > 500);
      assert.equal(digest(a), digest(b));
    });
  }

  it('gives different readings and ids for a different seed', () => {
    const a = run('normal-day', 'seed-1', 'json');
    const b = run('normal-day', 'seed-2', 'json');
    assert.notEqual(digest(a), digest(b));
    assert.notEqual(a[0].deviceId, b[0].deviceId);
  });

  it('emits messages in simulated-time order, within the world', () => {
    const messages = run('lora-chaos', 'order', 'chirpstack');
    for (let i = 1; i < messages.length; i++) assert.ok(messages[i].atSimMs >= messages[i - 1].atSimMs);
    assert.ok(messages[0].atSimMs >= START);
    assert.ok(messages[messages.length - 1].atSimMs < START + 3 * 3_600_000);
  });

  it('builds every named scenario', () => {
    for (const scenario of SCENARIOS) {
      const world = buildWorld(scenario, { seed: 's', startMs: START, durationMs: 10 * 60_000, devices: 3 });
      const first = generateMessages(world, scenario.format).next();
      assert.equal(first.done, false, scenario.name);
    }
  });

  it('lora-chaos duplicates, loses, delays and resets frames', () => {
    const messages = run('lora-chaos', 'chaos', 'chirpstack', 6 * 3_600_000);
    const events: any[] = messages.map((m) => ({ at: m.atSimMs, ...JSON.parse(m.payload.toString()) }));
    const byDedup = new Map<string, number>();
    for (const e of events) byDedup.set(e.deduplicationId, (byDedup.get(e.deduplicationId) ?? 0) + 1);
    assert.ok(
      [...byDedup.values()].some((n) => n > 1),
      'duplicates share a deduplicationId',
    );

    const device = events[0].deviceInfo.devEui;
    const fcnts = events.filter((e) => e.deviceInfo.devEui === device).map((e) => e.fCnt as number);
    const unique = [...new Set(fcnts)];
    const resets = unique.filter((f, i) => i > 0 && f < unique[i - 1] - 10);
    assert.ok(resets.length >= 1, 'a reboot restarts the frame counter');
    const late = events.filter((e) => e.at - Date.parse(e.time) >= 10_000);
    assert.ok(late.length > 0, 'some frames are held 10 s or more');
    const maxCnt = Math.max(...fcnts.slice(0, fcnts.indexOf(0, 1) > 0 ? fcnts.indexOf(0, 1) : fcnts.length));
    const seenBeforeReset = new Set(fcnts.slice(0, fcnts.indexOf(0, 1)));
    assert.ok(seenBeforeReset.size < maxCnt + 1, 'frame-counter gaps show lost frames');
  });

  it('sensor-offline goes silent, then sends the buffered readings as one batch', () => {
    const messages = run('sensor-offline', 'offline', 'json', 5 * 3_600_000);
    const affected = messages.filter((m) => m.deviceId.endsWith('-00000'));
    const gaps = affected.slice(1).map((m, i) => m.atSimMs - affected[i].atSimMs);
    assert.ok(Math.max(...gaps) > 85 * 60_000);
    const batch = affected.find((m) => m.payload[0] === 0x5b);
    assert.ok(batch, 'a batch (JSON array) follows the gap');
    assert.ok((JSON.parse(batch.payload.toString()) as unknown[]).length >= 85);
  });
});
