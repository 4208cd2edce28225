import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DomainEvents } from './domain-events.js';

void describe(DomainEvents.name, () => {
  void it('hands each event to its own handlers, synchronously, in subscription order', () => {
    const events = new DomainEvents();
    const seen: string[] = [];
    events.on('profile.changed', ({ profileId }) => seen.push(`first ${profileId}`));
    events.on('sites.changed', () => seen.push('sites'));
    events.on('profile.changed', ({ profileId }) => seen.push(`second ${profileId}`));
    events.emit('profile.changed', { profileId: 'chilled-4' });
    // Before emit returns: the emitter may rely on the effect having happened.
    assert.deepEqual(seen, ['first chilled-4', 'second chilled-4']);
    events.emit('sites.changed', {});
    assert.deepEqual(seen, ['first chilled-4', 'second chilled-4', 'sites']);
  });

  void it('emits to no one without handlers', () => {
    assert.doesNotThrow(() => new DomainEvents().emit('shipments.active-changed', {}));
  });

  void it("lets a handler's error reach the emitter, which decides what it means", () => {
    const events = new DomainEvents();
    const seen: string[] = [];
    events.on('shipments.active-changed', () => {
      throw new Error('cache broken');
    });
    events.on('shipments.active-changed', () => seen.push('after'));
    assert.throws(() => events.emit('shipments.active-changed', { shipmentId: 'SH-1' }), /cache broken/);
    assert.deepEqual(seen, []);
  });
});
