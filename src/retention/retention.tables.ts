/**
 * The columns the retention purge reads of each table it deletes from, as Kysely sees them. The
 * tables belong to their features (their migrations create them); this is the purge's view only.
 */
export type RetentionTables = {
  readings: { container_id: string; measured_at: number; device_id: string };
  alert_events: { container_id: string; at: number; alert_id: string; change: string };
  alerts: { id: string; opened_at: number; status: string; cleared_at: number | null };
  alert_history: { alert_id: string };
  shipments: {
    id: string;
    status: string;
    closed_at: number | null;
    cancelled_at: number | null;
    updated_at: number;
  };
  journey_events: { id: number; at: number; shipment_id: string | null };
  shipment_dispositions: { id: number; at: number; shipment_id: string };
  webhook_deliveries: { id: number; created_at: number; status: string };
  audit_log: { id: number; at: number };
  influx_dead_letter: { id: number; created_at: number };
};

export type RetentionTable = keyof RetentionTables;
