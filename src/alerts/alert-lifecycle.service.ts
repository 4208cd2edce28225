import { Injectable, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AlertChange, AlertEvent } from '#src/contracts/alert-event.js';
import { Clock } from '#src/common/clock.js';
import { DomainError } from '#src/common/domain-error.js';
import { DomainEvents } from '#src/common/events/domain-events.js';
import type { RuleEvent } from '#src/contracts/rule-event.js';
import { SEVERITY_RANK, type Alert } from './alert.types.js';
import { AlertsRepository } from './alerts.repository.js';
import { AlertNotifier } from './notifiers/alert-notifier.js';

/** Who made a change that no person made. */
const BY_RULE = 'rule';
/** Who made a change convoi made on its own, not on a rule's word (e.g. a shipment ended). */
export const BY_SYSTEM = 'system';

/**
 * The alert lifecycle (ARCHITECTURE.md §6): `active|cleared` × `unacknowledged|acknowledged`, one
 * active alert per (container, rule). Rule conclusions open, update, escalate and clear alerts;
 * people acknowledge, clear and comment. Every change is stored with who and when, then
 * announced (MQTT, InfluxDB, webhooks) by the notifier; a repeat that neither worsens the peak
 * nor escalates only refreshes the stored alert.
 */
@Injectable()
export class AlertLifecycleService implements OnModuleInit {
  constructor(
    private readonly repository: AlertsRepository,
    private readonly notifier: AlertNotifier,
    private readonly events: DomainEvents,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.events.on('rule.concluded', (event) => this.onRuleEvent(event));
  }

  onRuleEvent(event: RuleEvent): void {
    const { outcome } = event;
    const active = this.repository.findActive(event.containerId, event.rule.id);
    switch (outcome.kind) {
      case 'raise': {
        if (active && outcome.endsPreviousAt !== undefined) {
          this.commit(this.cleared(active, outcome.endsPreviousAt), 'cleared', BY_RULE, 'burst ended');
          this.open(event, outcome.severity, outcome.value, outcome.message, outcome.at);
        } else if (active) {
          this.update(active, event.rule, outcome.severity, outcome.value, outcome.at);
        } else {
          this.open(event, outcome.severity, outcome.value, outcome.message, outcome.at);
        }
        return;
      }
      case 'update':
        // No active alert: it was cleared by hand while the condition lasts; it is not reopened
        // until the rule clears and raises again.
        if (active) this.update(active, event.rule, outcome.severity, outcome.value, outcome.at);
        return;
      case 'clear':
        if (active) this.commit(this.cleared(active, outcome.at), 'cleared', BY_RULE, outcome.message);
        return;
    }
  }

  acknowledge(id: string, by: string, note?: string): Alert {
    const alert = this.require(id);
    if (alert.acknowledged) {
      throw new DomainError('conflict', 'alerts.already-acknowledged', `alert ${id} is already acknowledged`);
    }
    const now = this.clock.now();
    return this.commit(
      { ...alert, acknowledged: true, acknowledgedBy: by, acknowledgedAt: now },
      'acknowledged',
      by,
      note,
      now,
    );
  }

  clear(id: string, by: string, reason: string): Alert {
    const alert = this.require(id);
    if (alert.status === 'cleared') {
      throw new DomainError('conflict', 'alerts.already-cleared', `alert ${id} is already cleared`);
    }
    const now = this.clock.now();
    return this.commit(this.cleared(alert, now), 'cleared', by, reason, now);
  }

  comment(id: string, by: string, text: string): Alert {
    return this.commit(this.require(id), 'commented', by, text, this.clock.now());
  }

  /**
   * Clears the still-active alerts of a shipment that ended (closed, cancelled): no reading will
   * ever be judged against that shipment again, so nothing else would clear them. Cleared when it
   * ended, or at the alert's last sighting if a late reading came after that.
   */
  clearForEndedShipment(shipmentId: string, endedAs: string, at: number): Alert[] {
    const reason = `shipment ${shipmentId} ended: ${endedAs}`;
    return this.repository
      .findActiveOfShipment(shipmentId)
      .map((alert) =>
        this.commit(this.cleared(alert, Math.max(at, alert.lastSeenAt)), 'cleared', BY_SYSTEM, reason),
      );
  }

  require(id: string): Alert {
    const alert = this.repository.find(id);
    if (!alert) throw new DomainError('not-found', 'alerts.not-found', `alert ${id} does not exist`);
    return alert;
  }

  private open(
    event: RuleEvent,
    severity: Alert['severity'],
    value: number,
    message: string,
    at: number,
  ): void {
    const alert: Alert = {
      id: randomUUID(),
      containerId: event.containerId,
      ...(event.shipmentId !== undefined && { shipmentId: event.shipmentId }),
      ...(event.deviceId !== undefined && { deviceId: event.deviceId }),
      ruleId: event.rule.id,
      ruleKind: event.rule.kind,
      severity,
      status: 'active',
      acknowledged: false,
      openedAt: at,
      lastSeenAt: at,
      value,
      peakValue: value,
      count: 1,
      message,
    };
    this.commit(alert, 'opened', BY_RULE, undefined, at);
  }

  /**
   * A repeat of an active alert's condition. The row always follows (value, last seen, count);
   * only a worse peak or a higher severity is a change worth history and announcements: a reefer
   * reporting every minute through a 6 h excursion must not send 360 webhooks and MQTT messages
   * saying nothing new, nor a buffered upload turn into a storm of them.
   */
  private update(
    active: Alert,
    rule: RuleEvent['rule'],
    severity: Alert['severity'],
    value: number,
    at: number,
  ): void {
    const escalated = SEVERITY_RANK[severity] > SEVERITY_RANK[active.severity];
    const worse = active.peakValue === undefined || isWorse(rule, value, active.peakValue);
    const next: Alert = {
      ...active,
      severity: escalated ? severity : active.severity,
      lastSeenAt: Math.max(active.lastSeenAt, at),
      value,
      peakValue: worse ? value : active.peakValue,
      count: active.count + 1,
    };
    if (!escalated && !worse) {
      this.repository.save(next);
      return;
    }
    this.commit(next, escalated ? 'escalated' : 'updated', BY_RULE, undefined, at);
  }

  private cleared(alert: Alert, at: number): Alert {
    return { ...alert, status: 'cleared', clearedAt: at };
  }

  private commit(
    alert: Alert,
    change: AlertChange,
    by: string,
    note?: string,
    at = alert.clearedAt ?? alert.lastSeenAt,
  ): Alert {
    this.repository.transaction(() => {
      this.repository.save(alert);
      this.repository.addHistory(alert.id, {
        at,
        change,
        by,
        severity: alert.severity,
        value: alert.value,
        note,
      });
    });
    this.notifier.notify(toEvent(alert, change, at, by, note));
    return alert;
  }
}

/** Whether `candidate` is further from acceptable than `current` for this rule. */
function isWorse(rule: RuleEvent['rule'], candidate: number, current: number): boolean {
  switch (rule.kind) {
    case 'threshold':
    case 'duration':
    case 'repeating':
    case 'hysteresis':
    case 'cumulative':
      if (rule.band.max === undefined && rule.band.min !== undefined) return candidate < current;
      if (rule.band.min !== undefined && candidate < rule.band.min) return candidate < current;
      return candidate > current;
    case 'battery-low':
      return candidate < current;
    case 'shock':
    case 'frame-loss':
    case 'offline':
    case 'journey':
      return candidate > current;
  }
}

function toEvent(alert: Alert, change: AlertChange, at: number, by: string, note?: string): AlertEvent {
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
