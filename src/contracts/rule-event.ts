import type { RuleDefinition, RuleOutcome } from './rule-definition.js';

/**
 * A rule judged outside the evaluators: journeys (dwell, unexpected site, arrival delay) conclude
 * from positions and plans rather than from one measurement. Higher values are worse.
 */
export interface JourneyRule {
  id: 'dwell' | 'unexpected-site' | 'arrival-delay';
  kind: 'journey';
}

/** Something a rule concluded about a container: raise, update or clear (event `rule.concluded`). */
export interface RuleEvent {
  containerId: string;
  shipmentId?: string;
  deviceId?: string;
  rule: RuleDefinition | JourneyRule;
  outcome: Exclude<RuleOutcome, { kind: 'none' }>;
}
