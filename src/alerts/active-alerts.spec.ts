import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { ActiveAlerts } from './active-alerts.js';
import type { Alert } from './alert.types.js';

const alert = (id: string, over: Partial<Alert> = {}): Alert => ({
  id,
  containerId: 'C-1',
  ruleId: 'temperature-high',
  ruleKind: 'threshold',
  severity: 'warning',
  status: 'active',
  acknowledged: false,
  openedAt: 1,
  lastSeenAt: 1,
  count: 1,
  message: 'm',
  ...over,
});

describe(ActiveAlerts.name, () => {
  let active: ActiveAlerts;

  beforeEach(() => {
    active = new ActiveAlerts();
  });

  it('holds an alert by (container, rule) and by id while active, and forgets it once cleared', () => {
    const a = alert('A');
    active.follow(a);
    assert.equal(active.of('C-1', 'temperature-high'), a);
    assert.equal(active.get('A'), a);
    assert.equal(active.of('C-1', 'battery-low'), undefined);
    active.follow({ ...a, status: 'cleared' });
    assert.equal(active.of('C-1', 'temperature-high'), undefined);
    assert.equal(active.get('A'), undefined);
  });

  it('keeps the newer alert of a (container, rule) when an older one is cleared after it opened', () => {
    const older = alert('A');
    const newer = alert('B', { openedAt: 2 });
    active.follow(older);
    active.follow(newer);
    active.follow({ ...older, status: 'cleared' });
    assert.equal(active.of('C-1', 'temperature-high'), newer);
  });

  it("lists a shipment's active alerts oldest first, and the shipments that have one", () => {
    active.replace([
      alert('B', { shipmentId: 'S-1', openedAt: 5, ruleId: 'r2' }),
      alert('A', { shipmentId: 'S-1', openedAt: 5, ruleId: 'r1' }),
      alert('C', { shipmentId: 'S-2', containerId: 'C-2', openedAt: 1 }),
      alert('D', { containerId: 'C-3' }),
    ]);
    assert.deepEqual(
      active.ofShipment('S-1').map((a) => a.id),
      ['A', 'B'],
    );
    assert.deepEqual(active.shipments().sort(), ['S-1', 'S-2']);
    active.replace([]);
    assert.deepEqual(active.shipments(), []);
  });
});
