import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DomainEvents } from '#src/common/events/domain-events.js';
import { ActiveShipments, type ActiveShipment } from './active-shipments.service.js';

void describe(ActiveShipments.name, () => {
  const on = (shipmentId: string): ActiveShipment => ({ shipmentId, profileId: 'chilled-4' });

  void it('updates only the containers a shipment write touched, and names the shipment', () => {
    const events = new DomainEvents();
    const active = new ActiveShipments(events);
    const told: (string | undefined)[] = [];
    events.on('shipments.active-changed', ({ shipmentId }) => told.push(shipmentId));
    active.replace(
      new Map([
        ['C1', on('SH-1')],
        ['C2', on('SH-2')],
      ]),
    );
    // SH-1 moved from C1 to C3 while planned; SH-2 untouched.
    const now = new Map([['C3', on('SH-1')]]);
    active.update('SH-1', ['C1', 'C3'], (c) => now.get(c));
    assert.equal(active.get('C1'), undefined);
    assert.deepEqual(active.get('C3'), on('SH-1'));
    assert.deepEqual(active.get('C2'), on('SH-2'));
    // Delivered: its container is on no shipment any more.
    active.update('SH-2', ['C2'], () => undefined);
    assert.equal(active.of('C2'), undefined);
    assert.deepEqual(told, [undefined, 'SH-1', 'SH-2']);
  });
});
