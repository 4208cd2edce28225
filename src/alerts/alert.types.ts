import type { AlertChange, AlertSeverity, AlertStatus } from '#src/contracts/alert-event.js';

/** An alert as stored and served over REST. Times are epoch ms. */
export interface Alert {
  id: string;
  containerId: string;
  shipmentId?: string;
  deviceId?: string;
  ruleId: string;
  ruleKind: string;
  severity: AlertSeverity;
  status: AlertStatus;
  acknowledged: boolean;
  acknowledgedBy?: string;
  acknowledgedAt?: number;
  openedAt: number;
  lastSeenAt: number;
  clearedAt?: number;
  /** Value of the latest change (°C, g, %, minutes… by rule). */
  value?: number;
  /** Worst value while active. */
  peakValue?: number;
  /** Readings or timer ticks that confirmed this alert. */
  count: number;
  message: string;
}

/** One change of an alert: who (an API key name, or `rule`), when, what. */
export interface AlertHistoryEntry {
  at: number;
  change: AlertChange;
  by: string;
  severity: AlertSeverity;
  value?: number;
  note?: string;
}

export interface AlertFilter {
  status?: AlertStatus;
  acknowledged?: boolean;
  severity?: AlertSeverity;
  containerId?: string;
  shipmentId?: string;
  ruleId?: string;
  /** Containers based at this site. */
  siteId?: string;
  openedFrom?: number;
  openedTo?: number;
}

/** The filter as the store takes it: a site is the list of its containers (the fleet is another store). */
export type AlertStoreFilter = Omit<AlertFilter, 'siteId'> & { containerIds?: readonly string[] };

export const SEVERITY_RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };
