import type { EvaluationResult, RuleDefinition, RuleReading } from '#src/contracts/rule-definition.js';
import type { RuleState } from '#src/state/rule-state.js';
import { evaluateBatteryLow } from './battery-low.evaluator.js';
import { evaluateCumulative } from './cumulative.evaluator.js';
import { evaluateDuration } from './duration.evaluator.js';
import { evaluateFrameLoss } from './frame-loss.evaluator.js';
import { evaluateHysteresis } from './hysteresis.evaluator.js';
import { evaluateOfflineOnReading } from './offline.evaluator.js';
import { evaluateRepeating } from './repeating.evaluator.js';
import { evaluateShock } from './shock.evaluator.js';
import { evaluateThreshold } from './threshold.evaluator.js';

/**
 * Judges one reading against one rule. The switch is exhaustive: a new rule kind that is not
 * mapped here fails to compile. A stored state of another type than the rule's (the rule was
 * redefined with another kind) is discarded and the rule starts afresh rather than misreading it.
 * Offline rules also run here, at the reading's time; their timer path is `evaluateOffline`.
 */
export function evaluateRule(
  definition: RuleDefinition,
  state: RuleState | undefined,
  reading: RuleReading,
): EvaluationResult<RuleState | undefined> {
  switch (definition.kind) {
    case 'threshold':
      return evaluateThreshold(definition, state?.type === 'excursion' ? state : undefined, reading);
    case 'duration':
      return evaluateDuration(definition, state?.type === 'excursion' ? state : undefined, reading);
    case 'repeating':
      return evaluateRepeating(definition, state?.type === 'excursion' ? state : undefined, reading);
    case 'hysteresis':
      return evaluateHysteresis(definition, state?.type === 'excursion' ? state : undefined, reading);
    case 'battery-low':
      return evaluateBatteryLow(definition, state?.type === 'excursion' ? state : undefined, reading);
    case 'cumulative':
      return evaluateCumulative(definition, state?.type === 'cumulative' ? state : undefined, reading);
    case 'shock':
      return evaluateShock(definition, state?.type === 'shock' ? state : undefined, reading);
    case 'frame-loss':
      return evaluateFrameLoss(definition, state?.type === 'frame-loss' ? state : undefined, reading);
    case 'offline':
      return evaluateOfflineOnReading(definition, state?.type === 'offline' ? state : undefined, reading);
    default:
      return unmapped(definition);
  }
}

function unmapped(definition: never): never {
  throw new TypeError(`unmapped rule kind in ${JSON.stringify(definition)}`);
}
