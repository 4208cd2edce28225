import type { EtaConfidence } from '#src/shipments/eta/eta.estimator.js';
import type { MotionStatus } from '#src/shipments/eta/motion.tracker.js';

/** What `GET /shipments/:id` shows of a shipment on the road (issue 7). */
export interface ShipmentJourneyView {
  position: { lat: number; lon: number } | null;
  progressPct: number | null;
  remainingKm: number | null;
  /** ISO-8601. */
  eta: string | null;
  /** ETA minus planned arrival, minutes; positive when late. */
  delayMin: number | null;
  confidence: EtaConfidence;
  basis: string;
  motion: MotionStatus;
  /** ISO-8601 time of the newest fix. */
  lastFixAt: string | null;
  /** Sites the container is inside now. */
  insideSiteIds: string[];
}
