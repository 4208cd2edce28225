import { Transform } from 'class-transformer';

/**
 * Environment values are strings. These decorators turn them into typed values before
 * class-validator runs, leaving anything unparseable as-is so the validator reports it.
 */
export function EnvInt(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => integerOrAsIs(value));
}

export function EnvBool(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => {
    if (typeof value !== 'string') return value;
    const v = value.trim().toLowerCase();
    if (v === 'true' || v === '1' || v === 'yes') return true;
    if (v === 'false' || v === '0' || v === 'no') return false;
    return value;
  });
}

/** An integer, or unset when empty (`STATE_CHECKPOINT_MS=` in a .env keeps the default). */
export function EnvOptionalInt(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => (value === '' ? undefined : integerOrAsIs(value)));
}

/** Treats an empty string as unset, so `INFLUX_URL=` in a .env means "not configured". */
export function EnvOptionalString(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => (value === '' ? undefined : value));
}

/** A string of digits as its number; anything else as it is, for the validator to report. */
function integerOrAsIs(value: unknown): unknown {
  return typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
}
