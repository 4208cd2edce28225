import { Injectable } from '@nestjs/common';
import type { Alert } from './alert.types.js';

/**
 * The active alerts, in memory: what the rule path decides from, without a query per reading
 * (ARCHITECTURE.md §6). At most one per (container, rule), as the store's index says. Loaded from
 * the store at start; then every change this node makes to an alert it holds goes here first,
 * and to the store behind (`AlertWriter`).
 */
@Injectable()
export class ActiveAlerts {
  private readonly byRule = new Map<string, Alert>();
  private readonly byId = new Map<string, Alert>();

  /** Holds exactly `alerts` (the store's active ones, at start). */
  replace(alerts: readonly Alert[]): void {
    this.byRule.clear();
    this.byId.clear();
    for (const alert of alerts) this.follow(alert);
  }

  /**
   * Holds `alerts` (the store's active ones) for the containers `isTaken` says, instead of what it
   * held of them: a cluster processor taking partitions over takes the alerts their last owner
   * stored (ARCHITECTURE.md §9).
   */
  replaceOf(isTaken: (containerId: string) => boolean, alerts: readonly Alert[]): void {
    for (const alert of [...this.byId.values()])
      if (isTaken(alert.containerId)) this.follow({ ...alert, status: 'cleared' });
    for (const alert of alerts) if (isTaken(alert.containerId)) this.follow(alert);
  }

  of(containerId: string, ruleId: string): Alert | undefined {
    return this.byRule.get(keyOf(containerId, ruleId));
  }

  get(id: string): Alert | undefined {
    return this.byId.get(id);
  }

  /** Takes an alert's new state: kept while active, forgotten once cleared. */
  follow(alert: Alert): void {
    const key = keyOf(alert.containerId, alert.ruleId);
    if (alert.status === 'active') {
      this.byRule.set(key, alert);
      this.byId.set(alert.id, alert);
      return;
    }
    if (this.byRule.get(key)?.id === alert.id) this.byRule.delete(key);
    this.byId.delete(alert.id);
  }

  /** Active alerts raised during a shipment (at most one per rule of its container). */
  ofShipment(shipmentId: string): Alert[] {
    return [...this.byId.values()]
      .filter((a) => a.shipmentId === shipmentId)
      .sort((a, b) => a.openedAt - b.openedAt || (a.id < b.id ? -1 : 1));
  }

  /** Shipments that still have an active alert. */
  shipments(): string[] {
    const ids = new Set<string>();
    for (const a of this.byId.values()) if (a.shipmentId !== undefined) ids.add(a.shipmentId);
    return [...ids];
  }
}

/** Container ids and rule ids hold no NUL. */
const keyOf = (containerId: string, ruleId: string): string => `${containerId}\u0000${ruleId}`;
