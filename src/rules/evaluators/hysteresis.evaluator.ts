import type { EvaluationResult, HysteresisRule, RuleReading } from '#src/contracts/rule-definition.js';
import { NO_OUTCOME } from '#src/contracts/rule-definition.js';
import type { ExcursionState } from '#src/state/rule-state.js';
import { advanceExcursion, excursionParams } from './excursion.machine.js';
import { fieldValue } from './rule-reading.util.js';

/**
 * Raise at X, clear only beyond Y for Z minutes: raises at the first reading outside the band;
 * clears only when readings have been inside it by at least `clear.margin` for `clear.delayMin`
 * minutes without interruption. A reading between X and Y (inside the hysteresis band) keeps the
 * alert active and restarts the delay; so does a gap longer than the delay itself, since we did
 * not see the value stay back in range. Late and duplicate readings are ignored.
 */
export function evaluateHysteresis(
  definition: HysteresisRule,
  state: ExcursionState | undefined,
  reading: RuleReading,
): EvaluationResult<ExcursionState | undefined> {
  const value = fieldValue(reading, definition.field);
  if (value === undefined) return { outcome: NO_OUTCOME, state };
  return advanceExcursion(
    excursionParams(
      definition,
      0,
      1,
      definition.clear.delayMin > 0 ? definition.clear.delayMin * 60_000 : undefined,
    ),
    state,
    reading.measuredAt,
    value,
  );
}
