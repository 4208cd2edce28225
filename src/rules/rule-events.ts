import { Injectable } from '@nestjs/common';
import type { RuleDefinition, RuleOutcome } from './rule-definition.js';

/**
 * A rule judged outside the evaluators: journeys (dwell, unexpected site, arrival delay) conclude
 * from positions and plans rather than from one measurement. Higher values are worse.
 */
export interface JourneyRule {
  id: 'dwell' | 'unexpected-site' | 'arrival-delay';
  kind: 'journey';
}

/** Something a rule concluded about a container: raise, update or clear. */
export interface RuleEvent {
  containerId: string;
  shipmentId?: string;
  deviceId?: string;
  rule: RuleDefinition | JourneyRule;
  outcome: Exclude<RuleOutcome, { kind: 'none' }>;
}

export type RuleEventListener = (event: RuleEvent) => void;

/**
 * Where rules announce their conclusions. Alerts listen here, so rules never depend on alerts
 * (docs/ARCHITECTURE.md §2: module imports form a tree).
 */
@Injectable()
export class RuleEvents {
  private readonly listeners: RuleEventListener[] = [];

  on(listener: RuleEventListener): void {
    this.listeners.push(listener);
  }

  emit(event: RuleEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
