import type { EvaluationResult, RepeatingRule, RuleReading } from '#src/contracts/rule-definition.js';
import { NO_OUTCOME } from '#src/contracts/rule-definition.js';
import type { ExcursionState } from '#src/state/rule-state.js';
import { advanceExcursion, excursionParams } from './excursion.machine.js';
import { fieldValue } from './rule-reading.util.js';

/**
 * N readings in a row out of the band raise (the N-th raises). A reading in range resets the run;
 * with `maxGapMin`, so does a longer gap between two readings (the run restarts at the reading
 * after it). A duplicate or late reading (measuredAt ≤ the last evaluated) is not counted.
 */
export function evaluateRepeating(
  definition: RepeatingRule,
  state: ExcursionState | undefined,
  reading: RuleReading,
): EvaluationResult<ExcursionState | undefined> {
  const value = fieldValue(reading, definition.field);
  if (value === undefined) return { outcome: NO_OUTCOME, state };
  return advanceExcursion(
    excursionParams(
      definition,
      0,
      definition.count,
      definition.maxGapMin === undefined ? undefined : definition.maxGapMin * 60_000,
    ),
    state,
    reading.measuredAt,
    value,
  );
}
