import type { ShipmentStatus } from '#src/contracts/shipment-status.js';

/**
 * A container is on at most one shipment in these states; its readings carry that shipment's id
 * (from loading at the origin until the shipment is closed).
 */
export const ACTIVE_STATUSES: readonly ShipmentStatus[] = ['planned', 'in_transit', 'arrived'];

/** Legal next states of each state; anything else is refused. */
export const NEXT_STATUSES: Readonly<Record<ShipmentStatus, readonly ShipmentStatus[]>> = {
  planned: ['in_transit', 'cancelled'],
  in_transit: ['arrived', 'cancelled'],
  arrived: ['closed'],
  closed: [],
  cancelled: [],
};

/** Per-shipment changes to the profile's figures. */
export interface ShipmentOverrides {
  temperature?: { minC?: number; maxC?: number };
  toleratedExcursion?: { consecutiveMin: number; cumulativeMin: number };
  shockLimitG?: number;
  expectedIntervalS?: number;
}

export interface Shipment {
  id: string;
  containerId: string;
  originSiteId: string;
  destinationSiteId: string;
  profileId: string;
  overrides?: ShipmentOverrides;
  /** ISO-8601 instants. */
  plannedDeparture: string;
  plannedArrival: string;
  carrier?: string;
  reference?: string;
  status: ShipmentStatus;
  departedAt?: string;
  arrivedAt?: string;
  closedAt?: string;
  cancelledAt?: string;
  /** Name of the API key that created it. */
  createdBy: string;
  createdAt: string;
}
