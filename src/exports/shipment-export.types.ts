import type { Alert, AlertHistoryEntry } from '#src/alerts/alert.types.js';
import type { AuditEntry } from '#src/audit/audit.types.js';
import type { Shipment } from '#src/shipments/shipment.types.js';
import type { ShipmentRecord } from '#src/records/record.types.js';
import type { HistoryRow } from '#src/telemetry/telemetry.ports.js';

/** Everything convoi holds about one shipment, as one document for a quality inspector. */
export interface ShipmentExport {
  /** Format of this document; bumped if a field changes meaning. */
  format: 'convoi.shipment-export/1';
  /** When the export was made, ISO-8601 UTC. */
  exportedAt: string;
  /** Name of the API key that asked for it. */
  exportedBy: string;
  shipment: Shipment;
  /** The compliance record (excursions, shocks, gaps, disposition), and what it assumed. */
  record?: ShipmentRecord & { assumptions: string[] };
  /** Why there is no record, when it could not be computed. */
  recordUnavailable?: string;
  readings: HistoryRow[];
  /** True when the readings hit the export's row limit (the oldest ones are then missing). */
  readingsTruncated: boolean;
  alerts: (Alert & { history: AlertHistoryEntry[] })[];
  audit: AuditEntry[];
}
