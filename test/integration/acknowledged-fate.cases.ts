/**
 * The messages of acknowledged-fate.test.ts: HOSTILE-INPUTS sections E (invalid JSON, schema),
 * F (out-of-range values) and G (clocks, repeats, order) as native JSON payloads, and the three
 * cases of the issue "Tried as a new user would" §2, each with the fate every one of its readings
 * must meet once the broker has acknowledged it.
 */

/** Measured values as history returns them. */
export type StoredValues = Partial<
  Record<'temperatureC' | 'humidityPct' | 'shockG' | 'lat' | 'lon' | 'batteryPct', number>
> & { doorOpen?: boolean };

/** What becomes of one reading (or of the whole message, when it is not a reading at all). */
export type Fate =
  | { stored: StoredValues & { measuredAt: number } }
  | { rejected: string; detail: RegExp }
  | { duplicate: true };

export interface FateCase {
  name: string;
  payload: string | Buffer;
  /** Device the message is published for (its topic); the main device when absent. */
  device?: string;
  fates: Fate[];
}

export const MAIN_DEVICE = 'sensor-reefer-001';
export const MAIN_CONTAINER = 'REEFER-001';
/** The device of the reboot case, alone on its container, so its radio counters are its own. */
export const REBOOT_DEVICE = 'sensor-reefer-002';
export const REBOOT_CONTAINER = 'REEFER-002';

/**
 * The cases, with times relative to `now` (the server's clock, within a second): each stored
 * reading gets an instant of its own, as a reading is identified by device and measuredAt.
 */
export function fateCases(now: number): FateCase[] {
  const base = now - 30 * 60_000;
  let next = 0;
  /** A fresh instant, one second after the last one given. */
  const at = () => base + 1000 * next++;
  const cases: FateCase[] = [];
  const json = (v: unknown) => JSON.stringify(v);
  const refuse = (name: string, payload: string | Buffer, reason: string, detail: RegExp) =>
    cases.push({ name, payload, fates: [{ rejected: reason, detail }] });
  const store = (name: string, body: Record<string, unknown>, stored: StoredValues, ts = at()) =>
    cases.push({ name, payload: json({ ts, ...body }), fates: [{ stored: { measuredAt: ts, ...stored } }] });

  // E1 not JSON, E8 empty
  refuse('E1 truncated JSON', `{"ts":${at()},"temperature":4.5`, 'parse', /not JSON/);
  refuse('E1 key=value text', 'temp=4.5', 'parse', /not JSON/);
  refuse('E1 binary', Buffer.from([0x00, 0xff, 0x10, 0x80, 0x7f]), 'parse', /UTF-8/);
  refuse(
    'E1 BOM',
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json({ ts: at(), temperature: 4 }))]),
    'parse',
    /not JSON/,
  );
  refuse('E1 invalid UTF-8', Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]), 'parse', /UTF-8/);
  refuse('E8 empty payload', '', 'parse', /empty payload/);
  // E2 wrong shape
  refuse('E2 null', 'null', 'schema', /JSON object/);
  refuse('E2 empty array', '[]', 'schema', /empty array/);
  refuse('E2 a string', '"4.5"', 'schema', /JSON object/);
  refuse('E2 a number', '4.5', 'schema', /JSON object/);
  refuse('E2 an empty object', '{}', 'schema', /ts/);
  // E3 wrong types, never coerced
  for (const [label, value] of [
    ['"4.5"', '"4.5"'],
    ['true', 'true'],
    ['[4.5]', '[4.5]'],
    ['{"v":4.5}', '{"v":4.5}'],
  ])
    refuse(`E3 temperature ${label}`, `{"ts":${at()},"temperature":${value}}`, 'schema', /temperature/);
  // E4 duplicate keys: JSON.parse keeps the last (documented in the README)
  const dupKeyTs = at();
  cases.push({
    name: 'E4 duplicate keys',
    payload: `{"ts":${dupKeyTs},"temperature":4,"temperature":9}`,
    fates: [{ stored: { measuredAt: dupKeyTs, temperatureC: 9 } }],
  });
  // E5 prototype keys, E6 unknown fields, E9 line-protocol specials: all unknown fields
  refuse(
    'E5 __proto__',
    `{"ts":${at()},"temperature":2,"__proto__":{"isAdmin":true}}`,
    'schema',
    /__proto__/,
  );
  refuse(
    'E5 constructor',
    `{"ts":${at()},"temperature":2,"constructor":{"prototype":{}}}`,
    'schema',
    /constructor/,
  );
  refuse('E6 tenantId', json({ ts: at(), temperature: 2, tenantId: 'other' }), 'schema', /tenantId/);
  refuse(
    'E6 alertThreshold',
    json({ ts: at(), temperature: 2, alertThreshold: -1000 }),
    'schema',
    /alertThreshold/,
  );
  for (const name of ['te mp', 'a,b', 'a=b', 'a\nb'])
    refuse(`E9 field ${JSON.stringify(name)}`, json({ ts: at(), [name]: 2 }), 'schema', /unknown field/);
  // E7 deep nesting, many keys, a long string (all under the broker's 64 KiB packet limit)
  refuse('E7 nesting 30,000 deep', '['.repeat(30_000) + ']'.repeat(30_000), 'schema', /JSON object/);
  const manyKeys = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]));
  refuse('E7 5,000 keys', json({ ts: at(), ...manyKeys }), 'schema', /unknown field/);
  refuse('E7 a 60 kB string', json({ ts: at(), temperature: 'x'.repeat(60_000) }), 'schema', /temperature/);

  // F1 1e400 (JSON.parse gives Infinity)
  refuse('F1 1e400', `{"ts":${at()},"temperature":1e400}`, 'schema', /temperature/);
  refuse('F1 -1e400', `{"ts":${at()},"temperature":-1e400}`, 'schema', /temperature/);
  // F3 physical range
  refuse('F3 -300 °C', json({ ts: at(), temperature: -300 }), 'range', /temperature/);
  refuse('F3 1000 °C', json({ ts: at(), temperature: 1000 }), 'range', /temperature/);
  store('F3 a denormal', { temperature: 1e-320 }, { temperatureC: 1e-320 });
  // F4 shock
  refuse('F4 shock 1e9 g', json({ ts: at(), shock: 1e9 }), 'range', /shock/);
  refuse('F4 negative shock', json({ ts: at(), shock: -3 }), 'range', /shock/);
  // F5 positions
  refuse('F5 lat 91', json({ ts: at(), lat: 91, lon: 2 }), 'range', /lat/);
  refuse('F5 lon 181', json({ ts: at(), lat: 45, lon: 181 }), 'range', /lon/);
  refuse('F5 null island', json({ ts: at(), lat: 0, lon: 0 }), 'range', /GPS fault/);
  refuse('F5 "52.1N"', json({ ts: at(), lat: '52.1N', lon: 2 }), 'schema', /lat/);
  store('F5 nine decimals', { lat: 45.641812345, lon: 5.113512345 }, { lat: 45.641812345, lon: 5.113512345 });
  // F6 battery, humidity
  refuse('F6 battery -5 %', json({ ts: at(), battery: -5 }), 'range', /battery/);
  refuse('F6 battery 250 %', json({ ts: at(), battery: 250 }), 'range', /battery/);
  refuse('F6 humidity 120 %', json({ ts: at(), humidity: 120 }), 'range', /humidity/);
  // F7 integer then float, then a string
  store('F7 an integer', { temperature: 5 }, { temperatureC: 5 });
  store('F7 then a float', { temperature: 5.1 }, { temperatureC: 5.1 });
  refuse('F7 then "N/A"', json({ ts: at(), temperature: 'N/A' }), 'schema', /temperature/);
  // F8 no measurement
  refuse('F8 no measurement', json({ ts: at() }), 'empty', /no measurement/);
  refuse('F8 only a seq', json({ ts: at(), seq: 3 }), 'empty', /no measurement/);

  // G1 clocks at 1970, 2038, 2100
  refuse('G1 1970', json({ ts: '1970-01-01T00:00:05Z', temperature: 2 }), 'schema', /before 2000/);
  refuse('G1 2038', json({ ts: '2038-01-19T03:14:08Z', temperature: 2 }), 'future', /in the future/);
  refuse('G1 2100', json({ ts: Date.UTC(2100, 0, 1), temperature: 2 }), 'future', /in the future/);
  // G2 ahead of the server
  store('G2 1 min ahead', { temperature: 3.1 }, { temperatureC: 3.1 }, now + 60_000);
  refuse('G2 1 day ahead', json({ ts: now + 86_400_000, temperature: 2 }), 'future', /in the future/);
  // G3 seconds, milliseconds, nanoseconds
  refuse('G3 seconds', json({ ts: Math.floor(at() / 1000), temperature: 2 }), 'schema', /epoch seconds/);
  store('G3 milliseconds', { temperature: 3.2 }, { temperatureC: 3.2 });
  refuse('G3 1.7e18 (ns)', '{"ts":1700000000000000000,"temperature":2}', 'schema', /nanoseconds/);
  // G4 ISO without zone, +14:00, a leap second
  refuse('G4 no zone', json({ ts: '2026-11-22T10:00:00', temperature: 2 }), 'schema', /with a zone/);
  const plus14 = at();
  cases.push({
    name: 'G4 +14:00',
    payload: json({ ts: iso(plus14, 14), temperature: 3.3 }),
    fates: [{ stored: { measuredAt: plus14, temperatureC: 3.3 } }],
  });
  refuse('G4 leap second', json({ ts: '2026-06-30T23:59:60Z', temperature: 2 }), 'schema', /not a valid/);
  // G6 an exact repeat (QoS 1 redelivery)
  const repeated = json({ ts: at(), seq: 40, temperature: 3.4, humidity: 70 });
  const repeatedTs = (JSON.parse(repeated) as { ts: number }).ts;
  cases.push({
    name: 'G6 a reading',
    payload: repeated,
    fates: [{ stored: { measuredAt: repeatedTs, temperatureC: 3.4, humidityPct: 70 } }],
  });
  cases.push({ name: 'G6 its exact repeat', payload: repeated, fates: [{ duplicate: true }] });
  // G7 / issue §2.3: same instant, other values: refused, the first kept in both stores
  const cold = at();
  cases.push({
    name: 'G7 −19.7 °C',
    payload: json({ ts: cold, seq: 41, temperature: -19.7 }),
    fates: [{ stored: { measuredAt: cold, temperatureC: -19.7 } }],
  });
  cases.push({
    name: 'G7 3.5 °C at the same instant',
    payload: json({ ts: cold, seq: 42, temperature: 3.5 }),
    fates: [{ rejected: 'conflict', detail: /other values/ }],
  });
  cases.push({
    name: 'G7 humidity alone at the same instant',
    payload: json({ ts: cold, humidity: 60 }),
    fates: [{ rejected: 'conflict', detail: /other values/ }],
  });
  // G8 an out-of-order burst: two hours of buffered readings, newest first
  const burst = Array.from({ length: 120 }, (_, i) => ({
    ts: base - 60_000 * (i + 1),
    seq: 500 - i,
    temperature: 2 + (i % 7) / 10,
  }));
  cases.push({
    name: 'G8 a buffered burst, newest first',
    payload: json(burst),
    fates: burst.map((r) => ({ stored: { measuredAt: r.ts, temperatureC: r.temperature } })),
  });
  // Issue §2.2: a ts outside JavaScript's dates inside a batch
  const [b1, b3] = [now - 3000, now - 1000];
  cases.push({
    name: '§2.2 a batch with a nanosecond ts',
    payload: `[{"ts":${b1},"temperature":5.1},{"ts":1700000000000000000,"temperature":5.2},{"ts":${b3},"temperature":5.3}]`,
    fates: [
      { stored: { measuredAt: b1, temperatureC: 5.1 } },
      { rejected: 'schema', detail: /^\[1\] ts=1700000000000000000 .*nanoseconds/ },
      { stored: { measuredAt: b3, temperatureC: 5.3 } },
    ],
  });
  // Issue §2.1 and G9: a device that reboots and counts its seq from the start again
  const boot = at();
  cases.push({
    name: '§2.1 seq 7',
    device: REBOOT_DEVICE,
    payload: json({ ts: boot, seq: 7, temperature: 3.5 }),
    fates: [{ stored: { measuredAt: boot, temperatureC: 3.5 } }],
  });
  cases.push({
    name: '§2.1 seq 7 again after a reboot',
    device: REBOOT_DEVICE,
    payload: json({ ts: boot + 60_000, seq: 7, temperature: 9.5 }),
    fates: [{ stored: { measuredAt: boot + 60_000, temperatureC: 9.5 } }],
  });
  cases.push({
    name: 'G9 a seq gap',
    device: REBOOT_DEVICE,
    payload: json({ ts: boot + 120_000, seq: 12, temperature: 9.6 }),
    fates: [{ stored: { measuredAt: boot + 120_000, temperatureC: 9.6 } }],
  });
  // An unregistered device
  cases.push({
    name: 'an unknown device',
    device: 'ghost-9',
    payload: json({ ts: at(), temperature: 2 }),
    fates: [{ rejected: 'unknown-device', detail: /not registered/ }],
  });
  return cases;
}

/** `ms` as ISO-8601 in the zone `hours` ahead of UTC. */
function iso(ms: number, hours: number): string {
  const local = new Date(ms + hours * 3_600_000).toISOString().slice(0, 23);
  return `${local}+${String(hours).padStart(2, '0')}:00`;
}
