import type { AlertEvent } from '#src/contracts/alert-event.js';

/** Changes worth a line in the live summary; updates of a peak value would drown it. */
const SHOWN = new Set<AlertEvent['change']>(['opened', 'escalated', 'cleared', 'acknowledged']);

/**
 * The live alert summary of the demo: one line per alert that opens, escalates or clears, and
 * the tally by rule. Pure formatting: the caller feeds it the events received on
 * `v1/containers/+/alerts` and prints what it returns.
 */
export class AlertFeed {
  private readonly active = new Map<string, AlertEvent>();
  private readonly openedByRule = new Map<string, number>();
  private opened = 0;
  private cleared = 0;

  constructor(private readonly scenarioOf: (containerId: string) => string | undefined = () => undefined) {}

  /** The line to print for this event, or undefined when it is not worth one. */
  add(e: AlertEvent): string | undefined {
    if (e.change === 'opened') {
      this.opened++;
      this.openedByRule.set(e.rule, (this.openedByRule.get(e.rule) ?? 0) + 1);
    }
    if (e.status === 'active') this.active.set(e.alertId, e);
    else if (this.active.delete(e.alertId)) this.cleared++;
    if (!SHOWN.has(e.change)) return undefined;
    const scenario = this.scenarioOf(e.containerId);
    return (
      `${utcTime(e.at)}  ${e.change.toUpperCase().padEnd(12)} ${e.severity.padEnd(8)} ` +
      `${e.rule.padEnd(22)} ${e.containerId}${scenario ? ` (${scenario})` : ''}: ${e.message}`
    );
  }

  /** One line: how many alerts are open now, opened and cleared so far. */
  status(): string {
    return `alerts: ${this.active.size} active, ${this.opened} opened, ${this.cleared} cleared`;
  }

  /** Alerts opened so far, by rule, most frequent first. */
  tally(): { rule: string; opened: number }[] {
    return [...this.openedByRule]
      .map(([rule, opened]) => ({ rule, opened }))
      .sort((a, b) => b.opened - a.opened || a.rule.localeCompare(b.rule));
  }
}

/** `YYYY-MM-DD hh:mm` in UTC: the platform's own time line, whatever the viewer's zone. */
export function utcTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}
