import type { Selectable } from 'kysely';
import type { Alert, AlertHistoryEntry } from './alert.types.js';

/** The alert tables as Kysely sees them (alerts.migrations.ts creates them). Times in epoch ms. */
export type AlertsTables = {
  alerts: AlertRow;
  alert_history: {
    /** Assigned by the store (AUTOINCREMENT, identity): the order of the changes. */
    id: number | undefined;
    alert_id: string;
    at: number;
    change: AlertHistoryEntry['change'];
    by: string;
    severity: AlertHistoryEntry['severity'];
    value: number | null;
    note: string | null;
  };
};

export interface AlertRow {
  id: string;
  container_id: string;
  shipment_id: string | null;
  device_id: string | null;
  rule_id: string;
  rule_kind: string;
  severity: Alert['severity'];
  status: Alert['status'];
  /** 0 or 1 on both stores. */
  acknowledged: number;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
  opened_at: number;
  last_seen_at: number;
  cleared_at: number | null;
  value: number | null;
  peak_value: number | null;
  count: number;
  message: string;
}

export type HistoryRow = Omit<AlertsTables['alert_history'], 'id'>;

export const ALERT_COLUMNS: readonly (keyof AlertRow)[] = [
  'id',
  'container_id',
  'shipment_id',
  'device_id',
  'rule_id',
  'rule_kind',
  'severity',
  'status',
  'acknowledged',
  'acknowledged_by',
  'acknowledged_at',
  'opened_at',
  'last_seen_at',
  'cleared_at',
  'value',
  'peak_value',
  'count',
  'message',
];

export const HISTORY_COLUMNS: readonly (keyof HistoryRow)[] = [
  'alert_id',
  'at',
  'change',
  'by',
  'severity',
  'value',
  'note',
];

export function toAlertRow(a: Alert): AlertRow {
  return {
    id: a.id,
    container_id: a.containerId,
    shipment_id: a.shipmentId ?? null,
    device_id: a.deviceId ?? null,
    rule_id: a.ruleId,
    rule_kind: a.ruleKind,
    severity: a.severity,
    status: a.status,
    acknowledged: a.acknowledged ? 1 : 0,
    acknowledged_by: a.acknowledgedBy ?? null,
    acknowledged_at: a.acknowledgedAt ?? null,
    opened_at: a.openedAt,
    last_seen_at: a.lastSeenAt,
    cleared_at: a.clearedAt ?? null,
    value: a.value ?? null,
    peak_value: a.peakValue ?? null,
    count: a.count,
    message: a.message,
  };
}

export function toAlert(r: Selectable<AlertRow>): Alert {
  return {
    id: r.id,
    containerId: r.container_id,
    ...(r.shipment_id !== null && { shipmentId: r.shipment_id }),
    ...(r.device_id !== null && { deviceId: r.device_id }),
    ruleId: r.rule_id,
    ruleKind: r.rule_kind,
    severity: r.severity,
    status: r.status,
    acknowledged: r.acknowledged === 1,
    ...(r.acknowledged_by !== null && { acknowledgedBy: r.acknowledged_by }),
    ...(r.acknowledged_at !== null && { acknowledgedAt: r.acknowledged_at }),
    openedAt: r.opened_at,
    lastSeenAt: r.last_seen_at,
    ...(r.cleared_at !== null && { clearedAt: r.cleared_at }),
    ...(r.value !== null && { value: r.value }),
    ...(r.peak_value !== null && { peakValue: r.peak_value }),
    count: r.count,
    message: r.message,
  };
}

export function toHistoryRow(alertId: string, e: AlertHistoryEntry): HistoryRow {
  return {
    alert_id: alertId,
    at: e.at,
    change: e.change,
    by: e.by,
    severity: e.severity,
    value: e.value ?? null,
    note: e.note ?? null,
  };
}

export function toHistoryEntry(r: HistoryRow): AlertHistoryEntry {
  return {
    at: r.at,
    change: r.change,
    by: r.by,
    severity: r.severity,
    ...(r.value !== null && { value: r.value }),
    ...(r.note !== null && { note: r.note }),
  };
}
