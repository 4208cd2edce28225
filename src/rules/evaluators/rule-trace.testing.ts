import type {
  EvaluationResult,
  NumericField,
  RuleOutcome,
  RuleReading,
} from '#src/contracts/rule-definition.js';

/** Test support for evaluator specs: runs a sequence of readings and labels the outcomes. */

export const T0 = Date.UTC(2026, 10, 22, 8, 0, 0);

/** Epoch ms of minute `minute` after T0 (fractions allowed). */
export function minute(minute: number): number {
  return T0 + Math.round(minute * 60_000);
}

/** `-`, `raise:critical@15`, `update:warning@16`, `clear@20` (minutes after T0). */
export function outcomeLabel(outcome: RuleOutcome): string {
  switch (outcome.kind) {
    case 'none':
      return '-';
    case 'raise':
      return `raise:${outcome.severity}@${(outcome.at - T0) / 60_000}`;
    case 'update':
      return `update:${outcome.severity}@${(outcome.at - T0) / 60_000}`;
    case 'clear':
      return `clear@${(outcome.at - T0) / 60_000}`;
  }
}

/** One reading: minute after T0 and the field's value (undefined: the reading lacks the field). */
export type Step = readonly [atMinute: number, value: number | undefined];

export interface Trace<S> {
  labels: string[];
  outcomes: RuleOutcome[];
  state: S | undefined;
}

export function trace<S>(
  evaluate: (state: S | undefined, reading: RuleReading) => EvaluationResult<S | undefined>,
  field: NumericField,
  steps: readonly Step[],
  initial?: S,
): Trace<S> {
  let state = initial;
  const outcomes: RuleOutcome[] = [];
  for (const [atMinute, value] of steps) {
    const reading: RuleReading = { measuredAt: minute(atMinute) };
    if (value !== undefined) reading[field] = value;
    const result = evaluate(state, reading);
    state = result.state;
    outcomes.push(result.outcome);
  }
  return { labels: outcomes.map(outcomeLabel), outcomes, state };
}

/** Minute-by-minute steps from `from` to `to` inclusive, all with `value`. */
export function steady(from: number, to: number, value: number): Step[] {
  const steps: Step[] = [];
  for (let m = from; m <= to; m += 1) steps.push([m, value]);
  return steps;
}

/** Labels without the `-` (for long scenarios where only events matter). */
export function events(labels: readonly string[]): string[] {
  return labels.filter((l) => l !== '-');
}
