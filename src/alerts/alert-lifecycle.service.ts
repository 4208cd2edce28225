import { Injectable, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AlertChange } from '#src/contracts/alert-event.js';
import { Clock } from '#src/common/clock.js';
import { DomainError } from '#src/common/domain-error.js';
import { DomainEvents } from '#src/common/events/domain-events.js';
import type { RuleEvent } from '#src/contracts/rule-event.js';
import { ActiveAlerts } from './active-alerts.js';
import { BY_RULE, toAlertEvent } from './alert-event.mapper.js';
import { SEVERITY_RANK, type Alert } from './alert.types.js';
import { AlertWriter } from './alert-writer.service.js';
import { AlertsRepository } from './alerts.repository.js';
import { AlertNotifier } from './notifiers/alert-notifier.js';

/** Who made a change convoi made on its own, not on a rule's word (e.g. a shipment ended). */
export const BY_SYSTEM = 'system';

/**
 * The alert lifecycle (ARCHITECTURE.md §6): `active|cleared` × `unacknowledged|acknowledged`, one
 * active alert per (container, rule). Rule conclusions open, update, escalate and clear alerts;
 * people acknowledge, clear and comment. Every change is stored with who and when, then
 * announced (MQTT, InfluxDB, webhooks) by the notifier; a repeat that neither worsens the peak
 * nor escalates only refreshes the stored alert.
 *
 * Rule conclusions are decided from the active alerts in memory ({@link ActiveAlerts}, loaded at
 * start) and stored through {@link AlertWriter}, so a reading never waits on the store. People's
 * changes come one at a time ({@link serially}): each reads the alert (memory when active there,
 * else the store once the queued changes are in) and changes it before the next begins.
 */
@Injectable()
export class AlertLifecycleService implements OnModuleInit {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly repository: AlertsRepository,
    private readonly active: ActiveAlerts,
    private readonly writer: AlertWriter,
    private readonly notifier: AlertNotifier,
    private readonly events: DomainEvents,
    private readonly clock: Clock,
  ) {}

  /** Before the first reading: the store's tables, what a crash left in the outbox, then memory. */
  async onModuleInit(): Promise<void> {
    this.events.on('rule.concluded', (event) => this.onRuleEvent(event));
    await this.repository.migrated();
    await this.writer.storeLeftOver();
    this.active.replace(await this.repository.active());
  }

  /**
   * Cluster mode: this node's memory takes the active alerts the store has of the containers
   * `isTaken` says (partitions taken over): the rules there go on from the states their last owner
   * stored, and its alerts are the ones they update and clear. This node's own changes first.
   */
  async takeOver(isTaken: (containerId: string) => boolean): Promise<void> {
    await this.writer.flush();
    this.active.replaceOf(isTaken, await this.repository.active());
  }

  onRuleEvent(event: RuleEvent): void {
    const { outcome } = event;
    const active = this.active.of(event.containerId, event.rule.id);
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

  acknowledge(id: string, by: string, note?: string): Promise<Alert> {
    return this.serially(id, (alert) => {
      if (alert.acknowledged) {
        throw new DomainError(
          'conflict',
          'alerts.already-acknowledged',
          `alert ${id} is already acknowledged`,
        );
      }
      const now = this.clock.now();
      return this.commit(
        { ...alert, acknowledged: true, acknowledgedBy: by, acknowledgedAt: now },
        'acknowledged',
        by,
        note,
        now,
      );
    });
  }

  clear(id: string, by: string, reason: string): Promise<Alert> {
    return this.serially(id, (alert) => {
      if (alert.status === 'cleared') {
        throw new DomainError('conflict', 'alerts.already-cleared', `alert ${id} is already cleared`);
      }
      const now = this.clock.now();
      return this.commit(this.cleared(alert, now), 'cleared', by, reason, now);
    });
  }

  comment(id: string, by: string, text: string): Promise<Alert> {
    return this.serially(id, (alert) => this.commit(alert, 'commented', by, text, this.clock.now()));
  }

  /**
   * Clears the still-active alerts of a shipment that ended (closed, cancelled): no reading will
   * ever be judged against that shipment again, so nothing else would clear them. Cleared when it
   * ended, or at the alert's last sighting if a late reading came after that.
   */
  clearForEndedShipment(shipmentId: string, endedAs: string, at: number): Alert[] {
    const reason = `shipment ${shipmentId} ended: ${endedAs}`;
    return this.active
      .ofShipment(shipmentId)
      .map((alert) =>
        this.commit(this.cleared(alert, Math.max(at, alert.lastSeenAt)), 'cleared', BY_SYSTEM, reason),
      );
  }

  /**
   * Runs a person's change of alert `id` after the previous one finished, with the alert as it is
   * now. An alert active in memory is taken from there (a rule may have changed it since it was
   * stored); another is read from the store once the changes queued so far are stored. The change
   * itself is made without awaiting anything, so no rule conclusion lands inside it.
   */
  private serially(id: string, change: (alert: Alert) => Alert): Promise<Alert> {
    const step = this.tail.then(async () => {
      let alert = this.active.get(id);
      if (alert === undefined) {
        await this.writer.flush();
        alert = this.active.get(id) ?? (await this.repository.find(id));
      }
      if (!alert) throw new DomainError('not-found', 'alerts.not-found', `alert ${id} does not exist`);
      return change(alert);
    });
    this.tail = step.catch(() => undefined);
    return step;
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
    // Not newer than what the alert has seen: a replay of a reading it already counted (the
    // rule's state was restored from before it, e.g. written to PostgreSQL behind the alert).
    // Rules drop a reading older than the one they hold, so nothing else concludes this way.
    if (at <= active.lastSeenAt) return;
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
      this.active.follow(next);
      this.writer.record({ alert: next });
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
    // Memory follows the alerts it holds or a rule just opened, never one only the store has (a
    // hand change of an alert cleared before, or active on another node).
    if (change === 'opened' || this.active.get(alert.id) !== undefined) this.active.follow(alert);
    const entry = { at, change, by, severity: alert.severity, value: alert.value, note };
    // The change's own id keys its webhook deliveries on PostgreSQL: queued once per receiver
    // however often the outbox is drained again (ARCHITECTURE.md §9).
    this.writer.record({ alert, entry, changeId: randomUUID() });
    this.notifier.notify(toAlertEvent(alert, entry));
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
