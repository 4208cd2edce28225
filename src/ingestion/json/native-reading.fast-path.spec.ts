import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import fc from 'fast-check';
import { describe, it } from 'node:test';
import { NativeReadingDto } from './native-reading.dto.js';
import { isValidNativeReading } from './native-reading.fast-path.js';

/** What class-validator, as the decoder runs it, says of a reading. */
function dtoAccepts(item: Record<string, unknown>): boolean {
  return validateSync(plainToInstance(NativeReadingDto, item), { forbidUnknownValues: true }).length === 0;
}

const anyValue = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(-300, -50, -50.0001, 0, 85, 85.0001, 100, 200, 200.5, 4294967295, 4294967296, -1, Infinity),
  fc.string({ maxLength: 4 }),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('open', 'closed', 'ajar'),
  fc.record({ x: fc.double(), y: fc.double(), z: fc.double() }),
  fc.constant([1]),
);
const ts = fc.oneof(
  fc.integer({ min: 1e11, max: 2e12 }),
  fc.integer({ min: 0, max: 2e9 }),
  fc.constantFrom(
    '2026-11-22T10:00:00Z',
    '2026-11-22T10:00:00',
    '2026-11-22T10:00:00+14:00',
    '1999-01-01T00:00:00Z',
    'x',
  ),
  fc.double(),
);
const reading = fc.record(
  {
    ts,
    seq: anyValue,
    temperature: anyValue,
    humidity: anyValue,
    shock: anyValue,
    accel: anyValue,
    lat: anyValue,
    lon: anyValue,
    alt: anyValue,
    battery: anyValue,
    door: anyValue,
  },
  { requiredKeys: ['ts'] },
);

describe(isValidNativeReading.name, () => {
  it('never accepts what the DTO refuses', () => {
    fc.assert(
      fc.property(reading, (item) => !isValidNativeReading(item) || dtoAccepts(item)),
      { numRuns: 5000 },
    );
  });

  it('accepts the common valid readings the DTO accepts', () => {
    const valid = fc.record(
      {
        ts: fc.integer({ min: 1e12, max: 2e12 }),
        seq: fc.integer({ min: 0, max: 0xffffffff }),
        temperature: fc.double({ min: -50, max: 85, noNaN: true }),
        humidity: fc.double({ min: 0, max: 100, noNaN: true }),
        shock: fc.double({ min: 0, max: 200, noNaN: true }),
        lat: fc.double({ min: -90, max: 90, noNaN: true }),
        lon: fc.double({ min: -180, max: 180, noNaN: true }),
        battery: fc.integer({ min: 0, max: 100 }),
        door: fc.constantFrom('open', 'closed'),
      },
      { requiredKeys: ['ts'] },
    );
    fc.assert(
      fc.property(valid, (item) => isValidNativeReading(item) && dtoAccepts(item)),
      { numRuns: 2000 },
    );
  });
});
