import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';

const DAY_MS = 86_400_000;

/**
 * Longest `[from, to)` one request may ask for: 400 days, a year of records (the EU keeps
 * quick-frozen food records at least a year) plus a margin. Same bound as the readings route.
 */
export const MAX_TIME_RANGE_MS = 400 * DAY_MS;

/**
 * Why `[fromMs, toMs)` is not an acceptable range, naming the parameters as the client spelled
 * them, or undefined when it is. The rules, shared by every route taking a time range:
 * 1. `from` is strictly before `to` (an empty or inverted range is a mistake, not a question);
 * 2. `to - from` is at most `maxSpanMs`.
 */
export function timeRangeProblem(
  fromMs: number,
  toMs: number,
  names: { from: string; to: string } = { from: 'from', to: 'to' },
  maxSpanMs = MAX_TIME_RANGE_MS,
): string | undefined {
  if (!(fromMs < toMs)) return `${names.to} must be after ${names.from}`;
  if (toMs - fromMs > maxSpanMs) {
    const span = maxSpanMs % DAY_MS === 0 ? `${maxSpanMs / DAY_MS} days` : `${maxSpanMs} ms`;
    return `${names.to} must be at most ${span} after ${names.from}`;
  }
  return undefined;
}

/**
 * The end of a time range in a query DTO: when the start (`fromProperty`) is given too, the range
 * must follow {@link timeRangeProblem}'s rules. Values that are not ISO-8601 are left to
 * `@IsISO8601`, so a client gets one message per mistake.
 */
export function IsRangeEnd(
  fromProperty = 'from',
  maxSpanMs = MAX_TIME_RANGE_MS,
  options?: ValidationOptions,
): PropertyDecorator {
  const problemOf = (args: ValidationArguments): string | undefined => {
    const from = (args.object as Record<string, unknown>)[fromProperty];
    if (typeof from !== 'string' || typeof args.value !== 'string') return undefined;
    const fromMs = Date.parse(from);
    const toMs = Date.parse(args.value);
    if (Number.isNaN(fromMs) || Number.isNaN(toMs)) return undefined;
    return timeRangeProblem(fromMs, toMs, { from: fromProperty, to: args.property }, maxSpanMs);
  };
  return (target, propertyName) => {
    registerDecorator({
      name: 'isRangeEnd',
      target: target.constructor,
      propertyName: String(propertyName),
      constraints: [fromProperty, maxSpanMs],
      options,
      validator: {
        validate: (_value: unknown, args: ValidationArguments) => problemOf(args) === undefined,
        defaultMessage: (args: ValidationArguments) =>
          problemOf(args) ?? `${args.property} is not a valid end`,
      },
    });
  };
}
