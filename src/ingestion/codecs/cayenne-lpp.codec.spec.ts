import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeCayenneLpp, encodeCayenneLpp, LPP_TYPE_IDS } from './cayenne-lpp.codec.js';
import type { LppType, LppValue } from './cayenne-lpp.types.js';

function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

function decodeOk(bytes: Uint8Array): LppValue[] {
  const result = decodeCayenneLpp(bytes);
  if (!result.ok) assert.fail(result.reason);
  return result.values;
}

/** Bytes worked out by hand from ARCHITECTURE.md §3 (two's complement, big-endian). */
const CASES: { name: string; bytes: string; value: LppValue }[] = [
  { name: 'digital input', bytes: '01 00 01', value: { channel: 1, type: 'digitalInput', value: 1 } },
  { name: 'digital output', bytes: '02 01 C8', value: { channel: 2, type: 'digitalOutput', value: 200 } },
  {
    name: 'analog input, negative',
    bytes: '03 02 FF 6A',
    value: { channel: 3, type: 'analogInput', value: -1.5 },
  },
  {
    name: 'analog output, max',
    bytes: '04 03 7F FF',
    value: { channel: 4, type: 'analogOutput', value: 327.67 },
  },
  {
    name: 'illuminance, unsigned max',
    bytes: '05 65 FF FF',
    value: { channel: 5, type: 'illuminance', value: 65535 },
  },
  { name: 'presence', bytes: '06 66 01', value: { channel: 6, type: 'presence', value: 1 } },
  {
    name: 'temperature, negative',
    bytes: '01 67 FF D7',
    value: { channel: 1, type: 'temperature', value: -4.1 },
  },
  {
    name: 'temperature, frozen goods',
    bytes: '01 67 FF 42',
    value: { channel: 1, type: 'temperature', value: -19 },
  },
  { name: 'humidity, half percent', bytes: '02 68 81', value: { channel: 2, type: 'humidity', value: 64.5 } },
  {
    name: 'accelerometer, signed axes',
    bytes: '06 71 04 D2 FE 0C 00 00',
    value: { channel: 6, type: 'accelerometer', value: { x: 1.234, y: -0.5, z: 0 } },
  },
  { name: 'barometer', bytes: '07 73 27 94', value: { channel: 7, type: 'barometer', value: 1013.2 } },
  { name: 'voltage', bytes: '08 74 01 69', value: { channel: 8, type: 'voltage', value: 3.61 } },
  { name: 'percentage', bytes: '09 78 57', value: { channel: 9, type: 'percentage', value: 87 } },
  { name: 'altitude, negative', bytes: '0A 79 FF F4', value: { channel: 10, type: 'altitude', value: -12 } },
  {
    name: 'unix time',
    bytes: '0B 85 65 53 F1 00',
    value: { channel: 11, type: 'unixTime', value: 1_700_000_000 },
  },
  {
    name: 'unix time above 2^31 stays unsigned',
    bytes: '0B 85 FF FF FF FF',
    value: { channel: 11, type: 'unixTime', value: 4_294_967_295 },
  },
  {
    name: 'gyrometer, signed extremes',
    bytes: '0C 86 FF FF 7F FF 80 00',
    value: { channel: 12, type: 'gyrometer', value: { x: -0.01, y: 327.67, z: -327.68 } },
  },
  {
    name: 'GPS, Cayenne docs example (negative longitude)',
    bytes: '01 88 06 76 5F F2 96 0A 00 03 E8',
    value: { channel: 1, type: 'gps', value: { lat: 42.3519, lon: -87.9094, altM: 10 } },
  },
  {
    name: 'GPS, negative latitude and longitude',
    bytes: '02 88 FA B8 4B F7 17 78 00 09 C4',
    value: { channel: 2, type: 'gps', value: { lat: -34.6037, lon: -58.3816, altM: 25 } },
  },
];

const MULTI = hex('03 67 01 10 05 67 00 FF 01 67 FF D7 06 71 04 D2 FB 2E 00 00');
const MULTI_VALUES: LppValue[] = [
  { channel: 3, type: 'temperature', value: 27.2 },
  { channel: 5, type: 'temperature', value: 25.5 },
  { channel: 1, type: 'temperature', value: -4.1 },
  { channel: 6, type: 'accelerometer', value: { x: 1.234, y: -1.234, z: 0 } },
];

describe('decodeCayenneLpp', () => {
  for (const c of CASES) {
    it(`decodes ${c.name}`, () => {
      assert.deepEqual(decodeOk(hex(c.bytes)), [c.value]);
    });
  }

  it('covers every supported type', () => {
    const covered = new Set(CASES.map((c) => c.value.type));
    assert.deepEqual([...covered].sort(), Object.keys(LPP_TYPE_IDS).sort());
  });

  it('decodes a multi-channel frame in order', () => {
    assert.deepEqual(decodeOk(MULTI), MULTI_VALUES);
  });

  it('decodes an empty frame as no values', () => {
    assert.deepEqual(decodeOk(new Uint8Array(0)), []);
  });

  it('refuses a frame cut at every position that is not a record boundary', () => {
    const boundaries = new Set([0, 4, 8, 12, 20]);
    const recordStart = (cut: number): number => [...boundaries].filter((b) => b < cut).pop() ?? 0;
    for (let cut = 1; cut < MULTI.length; cut++) {
      const result = decodeCayenneLpp(MULTI.subarray(0, cut));
      if (boundaries.has(cut)) {
        assert.equal(result.ok, true, `cut ${cut} is a record boundary`);
        continue;
      }
      assert.equal(result.ok, false, `cut at ${cut} must be refused`);
      if (result.ok) continue;
      const start = recordStart(cut);
      assert.equal(result.offset, start, `cut ${cut}`);
      assert.match(result.reason, new RegExp(`truncated.*offset ${start}`));
      if (cut - start >= 2) {
        assert.equal(result.typeId, MULTI[start + 1]);
        assert.match(result.reason, new RegExp(`type ${MULTI[start + 1]}`));
      } else {
        assert.equal(result.typeId, undefined);
      }
    }
  });

  it('refuses a truncated GPS value naming the bytes missing', () => {
    const result = decodeCayenneLpp(hex('01 88 06 76 5F F2 96 0A 00 03'));
    assert.deepEqual(result, {
      ok: false,
      offset: 0,
      typeId: 136,
      reason: 'truncated Cayenne LPP frame: gps (type 136) at offset 0 needs 9 value bytes, 8 left',
    });
  });

  it('refuses an unknown type id with its offset, without decoding the rest', () => {
    const result = decodeCayenneLpp(hex('01 67 00 10 02 FE 00 03 67 00 01'));
    assert.deepEqual(result, {
      ok: false,
      offset: 4,
      typeId: 254,
      reason: 'unknown Cayenne LPP type 254 at offset 4 (channel 2)',
    });
  });

  it('refuses every type id outside the table', () => {
    const known = new Set(Object.values(LPP_TYPE_IDS));
    for (let id = 0; id < 256; id++) {
      if (known.has(id)) continue;
      const result = decodeCayenneLpp(Uint8Array.of(0, id, 0, 0, 0, 0, 0, 0, 0, 0, 0));
      assert.equal(result.ok, false, `type ${id}`);
      if (!result.ok) assert.equal(result.typeId, id);
    }
  });
});

describe('encodeCayenneLpp', () => {
  for (const c of CASES) {
    it(`encodes ${c.name}`, () => {
      assert.equal(encodeCayenneLpp([c.value]).toString('hex'), hex(c.bytes).toString('hex'));
    });
  }

  it('encodes a multi-channel frame', () => {
    assert.deepEqual(encodeCayenneLpp(MULTI_VALUES), MULTI);
  });

  it('rounds to the resolution of the type', () => {
    const bytes = encodeCayenneLpp([
      { channel: 1, type: 'temperature', value: 21.54 },
      { channel: 2, type: 'humidity', value: 40.3 },
      { channel: 3, type: 'gps', value: { lat: 51.50736, lon: -0.12776, altM: 11.004 } },
    ]);
    assert.deepEqual(decodeOk(bytes), [
      { channel: 1, type: 'temperature', value: 21.5 },
      { channel: 2, type: 'humidity', value: 40.5 },
      { channel: 3, type: 'gps', value: { lat: 51.5074, lon: -0.1278, altM: 11 } },
    ]);
  });

  const refused: { name: string; value: LppValue }[] = [
    { name: 'temperature above int16', value: { channel: 1, type: 'temperature', value: 3276.8 } },
    { name: 'temperature below int16', value: { channel: 1, type: 'temperature', value: -3276.9 } },
    { name: 'humidity above 127.5', value: { channel: 1, type: 'humidity', value: 128 } },
    { name: 'negative humidity', value: { channel: 1, type: 'humidity', value: -1 } },
    { name: 'negative voltage', value: { channel: 1, type: 'voltage', value: -0.5 } },
    { name: 'unix time past uint32', value: { channel: 1, type: 'unixTime', value: 2 ** 32 } },
    { name: 'NaN', value: { channel: 1, type: 'percentage', value: Number.NaN } },
    { name: 'Infinity', value: { channel: 1, type: 'altitude', value: Number.POSITIVE_INFINITY } },
    {
      name: 'GPS latitude past 24 bits',
      value: { channel: 1, type: 'gps', value: { lat: 839, lon: 0, altM: 0 } },
    },
    {
      name: 'accelerometer axis past int16',
      value: { channel: 1, type: 'accelerometer', value: { x: 0, y: 33, z: 0 } },
    },
    { name: 'channel 256', value: { channel: 256, type: 'percentage', value: 1 } },
    { name: 'channel 1.5', value: { channel: 1.5, type: 'percentage', value: 1 } },
  ];
  for (const r of refused) {
    it(`throws a RangeError for ${r.name}`, () => {
      assert.throws(() => encodeCayenneLpp([r.value]), RangeError);
    });
  }

  it('throws a RangeError for a type it does not know', () => {
    const bogus = { channel: 1, type: 'colour', value: 3 } as unknown as LppValue;
    assert.throws(() => encodeCayenneLpp([bogus]), /unknown Cayenne LPP type/);
  });
});

/** Values built from raw wire integers, so every one is exactly representable. */
const channel = fc.integer({ min: 0, max: 255 });
const raw = (min: number, max: number, divisor: number): fc.Arbitrary<number> =>
  fc.integer({ min, max }).map((n) => n / divisor);
const scalar = (type: LppType, min: number, max: number, divisor: number): fc.Arbitrary<LppValue> =>
  fc.record({ channel, value: raw(min, max, divisor) }).map((r) => ({ ...r, type }) as LppValue);
const axes = (divisor: number) =>
  fc
    .record({
      x: raw(-32768, 32767, divisor),
      y: raw(-32768, 32767, divisor),
      z: raw(-32768, 32767, divisor),
    })
    .map((v) => ({ ...v })); // fast-check may build null-prototype records
const lppValue: fc.Arbitrary<LppValue> = fc.oneof(
  scalar('digitalInput', 0, 255, 1),
  scalar('digitalOutput', 0, 255, 1),
  scalar('analogInput', -32768, 32767, 100),
  scalar('analogOutput', -32768, 32767, 100),
  scalar('illuminance', 0, 65535, 1),
  scalar('presence', 0, 255, 1),
  scalar('temperature', -32768, 32767, 10),
  scalar('humidity', 0, 255, 2),
  scalar('barometer', 0, 65535, 10),
  scalar('voltage', 0, 65535, 100),
  scalar('percentage', 0, 255, 1),
  scalar('altitude', -32768, 32767, 1),
  scalar('unixTime', 0, 0xffffffff, 1),
  fc.record({ channel, value: axes(1000) }).map((r): LppValue => ({ ...r, type: 'accelerometer' })),
  fc.record({ channel, value: axes(100) }).map((r): LppValue => ({ ...r, type: 'gyrometer' })),
  fc
    .record({
      channel,
      value: fc
        .record({
          lat: raw(-0x800000, 0x7fffff, 10000),
          lon: raw(-0x800000, 0x7fffff, 10000),
          altM: raw(-0x800000, 0x7fffff, 100),
        })
        .map((v) => ({ ...v })),
    })
    .map((r): LppValue => ({ ...r, type: 'gps' })),
);

describe('Cayenne LPP round trip', () => {
  it('decode(encode(values)) gives the values back', () => {
    fc.assert(
      fc.property(fc.array(lppValue, { maxLength: 12 }), (values) => {
        assert.deepEqual(decodeOk(encodeCayenneLpp(values)), values);
      }),
      { numRuns: 500 },
    );
  });

  it('encode(decode(bytes)) gives the bytes back for any valid frame', () => {
    fc.assert(
      fc.property(fc.array(lppValue, { maxLength: 12 }), (values) => {
        const bytes = encodeCayenneLpp(values);
        assert.deepEqual(encodeCayenneLpp(decodeOk(bytes)), bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const result = decodeCayenneLpp(bytes);
        if (!result.ok) assert.ok(result.offset >= 0 && result.offset < bytes.length);
      }),
      { numRuns: 1000 },
    );
  });
});
