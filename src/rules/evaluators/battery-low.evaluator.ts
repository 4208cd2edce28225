import type { BatteryLowRule, EvaluationResult, RuleReading } from '#src/contracts/rule-definition.js';
import { NO_OUTCOME } from '#src/contracts/rule-definition.js';
import type { ExcursionState } from '#src/state/rule-state.js';
import { advanceExcursion } from './excursion.machine.js';
import { fieldValue } from './rule-reading.util.js';

/**
 * Battery strictly below `lowPct` raises; it clears only at `lowPct + clearMarginPct` or above,
 * because battery estimates of LoRa sensors jitter by a few percent with temperature and radio
 * load, and a rule without hysteresis would flap around the limit. A battery swap (jump to ~100 %)
 * clears at once. Late and duplicate readings are ignored.
 */
export function evaluateBatteryLow(
  definition: BatteryLowRule,
  state: ExcursionState | undefined,
  reading: RuleReading,
): EvaluationResult<ExcursionState | undefined> {
  const value = fieldValue(reading, definition.field);
  if (value === undefined) return { outcome: NO_OUTCOME, state };
  return advanceExcursion(
    {
      field: definition.field,
      band: { min: definition.lowPct },
      raiseAfterMs: 0,
      raiseAfterCount: 1,
      clear: { margin: definition.clearMarginPct, delayMin: 0 },
      severity: definition.severity,
    },
    state,
    reading.measuredAt,
    value,
  );
}
