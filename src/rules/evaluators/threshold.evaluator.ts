import type { EvaluationResult, RuleReading, ThresholdRule } from '#src/contracts/rule-definition.js';
import { NO_OUTCOME } from '#src/contracts/rule-definition.js';
import type { ExcursionState } from '#src/state/rule-state.js';
import { advanceExcursion, excursionParams } from './excursion.machine.js';
import { fieldValue } from './rule-reading.util.js';

/**
 * Above / below / outside a band: raises at the first reading strictly outside it (a value exactly
 * at the limit is in range), updates while out, clears at the first reading back in (or per
 * `clear` when given). Late and duplicate readings (measuredAt ≤ the last evaluated) are ignored.
 */
export function evaluateThreshold(
  definition: ThresholdRule,
  state: ExcursionState | undefined,
  reading: RuleReading,
): EvaluationResult<ExcursionState | undefined> {
  const value = fieldValue(reading, definition.field);
  if (value === undefined) return { outcome: NO_OUTCOME, state };
  return advanceExcursion(excursionParams(definition, 0, 1, undefined), state, reading.measuredAt, value);
}
