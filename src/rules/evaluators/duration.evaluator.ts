import type { DurationRule, EvaluationResult, RuleReading } from '#src/contracts/rule-definition.js';
import { NO_OUTCOME } from '#src/contracts/rule-definition.js';
import type { ExcursionState } from '#src/state/rule-state.js';
import { advanceExcursion, excursionParams } from './excursion.machine.js';
import { fieldValue } from './rule-reading.util.js';

/**
 * "Above 4 °C for 15 min": the excursion's length is measuredAt of the newest out-of-range reading
 * minus that of the first, and it raises when that reaches `raiseAfterMin` (inclusive). Gaps: two
 * out-of-range readings at most `maxGapMin` apart are continuous; after a longer gap a pending
 * excursion restarts at the next reading, and a clear delay in progress restarts too. Any reading
 * in range before the raise ends the excursion. Late and duplicate readings are ignored.
 */
export function evaluateDuration(
  definition: DurationRule,
  state: ExcursionState | undefined,
  reading: RuleReading,
): EvaluationResult<ExcursionState | undefined> {
  const value = fieldValue(reading, definition.field);
  if (value === undefined) return { outcome: NO_OUTCOME, state };
  return advanceExcursion(
    excursionParams(definition, definition.raiseAfterMin * 60_000, 1, definition.maxGapMin * 60_000),
    state,
    reading.measuredAt,
    value,
  );
}
