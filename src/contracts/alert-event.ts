/**
 * Alert events convoi publishes on `v1/containers/{containerId}/alerts` (QoS 1), stores, writes
 * to the InfluxDB measurement `alert` and sends to webhooks (ARCHITECTURE.md §6).
 */
export type AlertSeverity = 'info' | 'warning' | 'critical';
export type AlertStatus = 'active' | 'cleared';
export type AlertChange = 'opened' | 'updated' | 'escalated' | 'acknowledged' | 'cleared' | 'commented';

export interface AlertEvent {
  alertId: string;
  change: AlertChange;
  containerId: string;
  shipmentId?: string;
  deviceId?: string;
  /** Rule id, e.g. `temperature-high`. */
  rule: string;
  severity: AlertSeverity;
  status: AlertStatus;
  acknowledged: boolean;
  /** The value that caused this change (°C, g, % … per rule). */
  value?: number;
  /** Worst value seen while active. */
  peakValue?: number;
  message: string;
  /** When the change happened in the container's time (measuredAt of the reading), epoch ms. */
  at: number;
  /** API key name of the person who made a manual change. */
  by?: string;
}
