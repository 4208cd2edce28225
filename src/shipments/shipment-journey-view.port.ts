import type { ShipmentJourneyView } from './shipment-journey-view.types.js';
import type { Shipment } from './shipment.types.js';

/**
 * The `journey` block `GET /shipments/{id}` embeds: position, progress, ETA, delay. Declared here
 * and bound by the journeys feature (`JourneyViewsModule`), which depends on shipments where
 * shipments may not depend on it (ARCHITECTURE.md §2, Modules). The view is read from the
 * journeys' state store, not from a hook registered at runtime.
 */
export abstract class ShipmentJourneyViews {
  /** Position, progress and ETA of a shipment on the road; undefined when unknown. */
  abstract viewOf(shipment: Shipment): ShipmentJourneyView | undefined;
}
