import type { AlertEvent } from '#src/contracts/alert-event.js';
import type { Alert, AlertHistoryEntry } from './alert.types.js';

/** Who made a change that no person made. */
export const BY_RULE = 'rule';

/**
 * The announcement of one change of an alert (MQTT, the `alert` measurement, webhooks): the alert
 * as changed and the history entry of the change. A pure function of the two, so the PostgreSQL
 * writer builds the same webhook body from a stored change as the notifier did when it was made.
 */
export function toAlertEvent(alert: Alert, entry: Omit<AlertHistoryEntry, 'severity' | 'value'>): AlertEvent {
  const { change, at, by, note } = entry;
  return {
    alertId: alert.id,
    change,
    containerId: alert.containerId,
    ...(alert.shipmentId !== undefined && { shipmentId: alert.shipmentId }),
    ...(alert.deviceId !== undefined && { deviceId: alert.deviceId }),
    rule: alert.ruleId,
    severity: alert.severity,
    status: alert.status,
    acknowledged: alert.acknowledged,
    ...(alert.value !== undefined && { value: alert.value }),
    ...(alert.peakValue !== undefined && { peakValue: alert.peakValue }),
    message: note !== undefined && change !== 'opened' ? `${alert.message} (${note})` : alert.message,
    at,
    ...(by !== BY_RULE && { by }),
  };
}
