import { Injectable } from '@nestjs/common';

/** The shipment a container is on, with its product profile. */
export interface ActiveShipment {
  shipmentId: string;
  profileId: string;
}

/**
 * Which shipment each container is on now, read once per reading (hot path: one Map lookup).
 * The shipments feature owns the data and replaces the whole index after every change
 * ({@link replace}); it lives in fleet so ingestion can read it without depending on shipments.
 */
@Injectable()
export class ActiveShipments {
  private byContainer = new Map<string, ActiveShipment>();
  /** Bumped at every replace: caches derived from shipments (rule sets) compare it. */
  version = 0;

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
    this.version++;
  }
}
