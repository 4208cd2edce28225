import { Injectable } from '@nestjs/common';
import { DomainEvents } from '#src/common/events/domain-events.js';

/** The shipment a container is on, with its product profile. */
export interface ActiveShipment {
  shipmentId: string;
  profileId: string;
}

/**
 * Which shipment each container is on now, read once per reading (hot path: one Map lookup).
 * The shipments feature owns the data: it loads the whole index at start ({@link replace}) and
 * then updates the containers a write touched ({@link update}), telling the caches derived from a
 * shipment (rule sets, the journey's shipment) to drop it (`shipments.active-changed`). Rebuilding the index and emptying
 * those caches on every write cost ~40 ms a write with 20,000 shipments under way, and a chain
 * dispatching in the morning writes several a second. It lives in fleet so ingestion can read it
 * without depending on shipments.
 */
@Injectable()
export class ActiveShipments {
  private byContainer = new Map<string, ActiveShipment>();

  constructor(private readonly events: DomainEvents) {}

  /** The active shipment of the container, if any. */
  get(containerId: string): ActiveShipment | undefined {
    return this.byContainer.get(containerId);
  }

  /** The active shipment id of the container, if any. */
  of(containerId: string): string | undefined {
    return this.byContainer.get(containerId)?.shipmentId;
  }

  /** Swaps in a new index at once: a reading sees either the old or the new one, never a mix. */
  replace(byContainer: Map<string, ActiveShipment>): void {
    this.byContainer = byContainer;
    this.events.emit('shipments.active-changed', {});
  }

  /** Shipment `shipmentId` changed: `containers` are now on what `activeOf` says (or on none). */
  update(
    shipmentId: string,
    containers: Iterable<string>,
    activeOf: (containerId: string) => ActiveShipment | undefined,
  ): void {
    const containerIds: string[] = [];
    for (const containerId of containers) {
      const active = activeOf(containerId);
      if (active === undefined) this.byContainer.delete(containerId);
      else this.byContainer.set(containerId, active);
      containerIds.push(containerId);
    }
    this.events.emit('shipments.active-changed', { shipmentId, containerIds });
  }
}
