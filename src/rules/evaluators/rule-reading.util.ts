import type { NumericField, RuleReading } from '#src/contracts/rule-definition.js';

/**
 * The value a rule judges, or undefined when the reading does not carry it (a tracker sending a
 * position only): such a reading tells nothing about the field, so it neither moves the rule's
 * time forward nor changes its state (the offline rule is what notices a missing key).
 */
export function fieldValue(reading: RuleReading, field: NumericField): number | undefined {
  const value = reading[field];
  return value !== undefined && Number.isFinite(value) && Number.isFinite(reading.measuredAt)
    ? value
    : undefined;
}
