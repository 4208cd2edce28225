/** Shipment lifecycle (ARCHITECTURE.md §6): planned → in_transit → arrived → closed, or cancelled. */
export const SHIPMENT_STATUSES = ['planned', 'in_transit', 'arrived', 'closed', 'cancelled'] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

/**
 * A status change as it happened (event `shipment.status-changed`): by a planner (`manual`, with
 * the key name) or by the journey.
 */
export interface ShipmentStatusChange {
  shipmentId: string;
  containerId: string;
  from: ShipmentStatus;
  to: ShipmentStatus;
  /** When it happened, epoch ms (the departure or arrival time for those). */
  at: number;
  manual: boolean;
  actor?: string;
}
