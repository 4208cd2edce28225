import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AlertEvent } from '#src/contracts/alert-event.js';
import { AlertFeed } from './alert-feed.js';
import { DEMO_SCENARIOS, DemoFleet } from './demo-fleet.js';

const START = Date.UTC(2026, 5, 16, 3, 0, 0);
const HOUR = 3_600_000;

describe(DemoFleet.name, () => {
  it('puts every demo scenario on one timeline, in simulated-time order', () => {
    const fleet = new DemoFleet({ seed: 'spec', startMs: START, durationMs: 2 * HOUR });
    assert.deepEqual(
      fleet.worlds.map((w) => w.scenario.name),
      DEMO_SCENARIOS,
    );
    let last = START;
    const devices = new Set<string>();
    let count = 0;
    for (const m of fleet.messages()) {
      assert.ok(m.atSimMs >= last && m.atSimMs < START + 2 * HOUR, 'in order, within the run');
      last = m.atSimMs;
      devices.add(m.deviceId);
      count++;
    }
    const all = fleet.worlds.flatMap((w) => w.devices.map((d) => d.deviceId));
    assert.equal(devices.size, all.length, 'every device speaks');
    assert.ok(count >= all.length * 100, `about one message a minute each (${count})`);
  });

  it('provisions the shared sites once and every container of every scenario', () => {
    const fleet = new DemoFleet({ seed: 'spec', startMs: START, durationMs: HOUR });
    const requests = fleet.provisionRequests();
    const keys = requests.map((r) => `${r.what} ${r.id}`);
    assert.equal(new Set(keys).size, keys.length, 'no duplicates');
    const containers = requests.filter((r) => r.what === 'container').map((r) => r.id);
    assert.equal(containers.length, new Set(fleet.worlds.flatMap((w) => w.devices)).size);
    const affected = fleet.affectedContainers();
    assert.ok(affected.some((a) => a.scenario === 'cold-chain-break'));
    assert.equal(fleet.scenarioOf(affected[0].containerId)?.name, affected[0].scenario);
  });
});

describe(AlertFeed.name, () => {
  const event = (change: AlertEvent['change'], status: AlertEvent['status']): AlertEvent => ({
    alertId: 'a1',
    change,
    containerId: 'trl-1',
    rule: 'temperature-high',
    severity: 'critical',
    status,
    acknowledged: false,
    message: 'temperatureC 4.3 above 4 for 15.1 min',
    at: START,
  });

  it('prints openings and clearings, not peak updates, and keeps the tally', () => {
    const feed = new AlertFeed(() => 'cold-chain-break');
    const opened = feed.add(event('opened', 'active'));
    assert.match(
      opened ?? '',
      /^2026-06-16 03:00 {2}OPENED +critical +temperature-high +trl-1 \(cold-chain-break\)/,
    );
    assert.equal(feed.add(event('updated', 'active')), undefined);
    assert.match(feed.add(event('cleared', 'cleared')) ?? '', /CLEARED/);
    assert.equal(feed.status(), 'alerts: 0 active, 1 opened, 1 cleared');
    assert.deepEqual(feed.tally(), [{ rule: 'temperature-high', opened: 1 }]);
  });
});
