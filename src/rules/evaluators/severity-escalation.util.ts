import type { AlertSeverity } from '#src/contracts/alert-event.js';
import type { SeverityPolicy } from '#src/contracts/rule-definition.js';

const RANK: Readonly<Record<AlertSeverity, number>> = { info: 0, warning: 1, critical: 2 };

export function maxSeverity(a: AlertSeverity, b: AlertSeverity | undefined): AlertSeverity {
  return b !== undefined && RANK[b] > RANK[a] ? b : a;
}

/**
 * Severity of an excursion that has lasted `elapsedMs` and whose worst value is `distance` outside
 * its band: the highest of the base and of every escalation whose duration or distance is reached
 * (both inclusive: exactly 30 min or exactly 2 °C beyond escalates).
 */
export function severityFor(policy: SeverityPolicy, elapsedMs: number, distance: number): AlertSeverity {
  let severity = policy.base;
  for (const step of policy.escalations ?? []) {
    const byTime = step.afterMin !== undefined && elapsedMs >= step.afterMin * 60_000;
    const byDistance = step.beyond !== undefined && distance >= step.beyond;
    if (byTime || byDistance) severity = maxSeverity(severity, step.severity);
  }
  return severity;
}
