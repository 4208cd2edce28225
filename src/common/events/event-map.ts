import type { RuleEvent } from '#src/contracts/rule-event.js';
import type { ShipmentStatusChange } from '#src/contracts/shipment-status.js';

/**
 * Every event one feature announces to others, with its payload (ARCHITECTURE.md §2, "Events").
 * A lower feature emits and a higher one subscribes, so neither imports the other and the folder
 * graph stays a tree; the payloads therefore live in `contracts/`. Delivery is synchronous, in the
 * order of subscription: an effect happens in the same tick as its cause (a rule conclusion
 * becomes an alert before the next reading is judged; a stale cache is dropped before the next
 * reading reads it).
 */
export interface EventMap {
  /** A rule concluded (raise, update, clear). Emitted by rules and journeys; alerts act on it. */
  'rule.concluded': RuleEvent;
  /** A shipment's status changed, by a planner or by the journey. Journeys log it; alerts end with it. */
  'shipment.status-changed': ShipmentStatusChange;
  /**
   * The active shipment of some containers changed: `shipmentId` is the shipment written and
   * `containerIds` the containers the write touched, both absent when the whole index was reloaded.
   * Caches derived from a shipment (rule sets, journeys) drop it; the offline tick looks at those
   * containers again.
   */
  'shipments.active-changed': { shipmentId?: string; containerIds?: readonly string[] };
  /** Sites changed (REST or fleet import): what was derived from them (the journeys' grid) is stale. */
  'sites.changed': Record<string, never>;
  /** A product profile changed: the rule sets built from it are stale. */
  'profile.changed': { profileId: string };
}

export type EventName = keyof EventMap;
