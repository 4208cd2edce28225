import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { DecodedReading } from '#src/contracts/reading.js';
import { parseTopic } from '#src/contracts/topics.js';
import { encodeCayenneLpp } from '#src/ingestion/codecs/cayenne-lpp.codec.js';
import type { DecodeResult, RejectionReason } from '#src/ingestion/decode-result.js';
import { decodeChirpstackUplink, type ChirpstackUplinkTopic } from './chirpstack.decoder.js';
import {
  InMemoryDeviceLookup,
  loadLorawanFixture,
  omitDefaults,
  toPayload,
  withFields,
  type Json,
} from './lorawan.testing.js';

const EUI = '0101010101010101';
const TOPIC = parseTopic(
  `application/17c82e96-be03-4f38-aef3-f83d48582d97/device/${EUI}/event/up`,
) as ChirpstackUplinkTopic;
const lookup = new InMemoryDeviceLookup([
  { deviceId: 'reefer-7', devEui: EUI, format: 'chirpstack' },
  {
    deviceId: 'mapped-1',
    devEui: '0202020202020202',
    format: 'chirpstack',
    channelMap: { channels: { 9: 'temperatureC' } },
  },
  { deviceId: 'tts-1', devEui: '0303030303030303', format: 'tts' },
  { deviceId: 'scoped-1', devEui: '0404040404040404', format: 'chirpstack', application: 'app-a' },
]);

const FRAME = encodeCayenneLpp([
  { channel: 1, type: 'temperature', value: -18.5 },
  { channel: 2, type: 'humidity', value: 55.5 },
  { channel: 3, type: 'accelerometer', value: { x: 0.3, y: -0.4, z: 1.2 } },
  { channel: 4, type: 'gps', value: { lat: -33.8688, lon: 151.2093, altM: 12.5 } },
  { channel: 5, type: 'percentage', value: 87 },
]).toString('base64');

const DOCS = loadLorawanFixture('chirpstack-v4-event-up.docs.json');
const PUBLISHED = withFields(DOCS, { data: FRAME }, true);
const NS_TIME = Date.parse('2022-07-18T09:34:15.775Z');
const RECEIVED = NS_TIME + 1_500;

function decode(envelope: unknown, receivedAt = RECEIVED, topic = TOPIC): DecodeResult {
  return decodeChirpstackUplink(
    topic,
    Buffer.isBuffer(envelope) ? envelope : toPayload(envelope),
    receivedAt,
    lookup,
  );
}

function reading(result: DecodeResult): DecodedReading {
  if (!result.ok) assert.fail(`${result.rejection.reason}: ${result.rejection.detail}`);
  assert.equal(result.readings.length, 1);
  return result.readings[0];
}

function rejection(result: DecodeResult, reason: RejectionReason, detail?: RegExp): void {
  assert.equal(result.ok, false, 'must be rejected');
  if (result.ok) return;
  assert.equal(result.rejection.reason, reason, result.rejection.detail);
  if (detail) assert.match(result.rejection.detail, detail);
}

const EXPECTED: DecodedReading = {
  deviceId: 'reefer-7',
  measuredAt: NS_TIME,
  receivedAt: RECEIVED,
  source: 'chirpstack',
  dedupeKey: `${EUI}/3ac7e3c4-4401-4b8d-9386-a5c902f9202d`,
  temperatureC: -18.5,
  humidityPct: 55.5,
  shockG: 1.3,
  lat: -33.8688,
  lon: 151.2093,
  altM: 12.5,
  batteryPct: 87,
  quality: { fCnt: 0, fPort: 1, gateways: 1, rssi: -36, snr: 10.5, lagMs: 1_500, late: false },
};

describe(decodeChirpstackUplink.name, () => {
  describe('docs sample with a Cayenne LPP frame, in the three field shapes', () => {
    const shapes: Record<string, Json> = {
      'as published (4.0: defaults omitted)': PUBLISHED,
      'every default omitted': omitDefaults(PUBLISHED) as Json,
      'defaults present (4.1+)': withFields(PUBLISHED, {
        fCnt: 0,
        adr: false,
        confirmed: false,
        object: {},
        regionConfigId: '',
        'deviceInfo.deviceClassEnabled': 'CLASS_A',
      }),
      'fields null': withFields(
        PUBLISHED,
        { fCnt: null, object: null, adr: null, 'deviceInfo.tags': null },
        true,
      ),
    };
    for (const [name, envelope] of Object.entries(shapes)) {
      it(`decodes it ${name}`, () => {
        assert.deepEqual(reading(decode(envelope)), EXPECTED);
      });
    }
  });

  it('refuses the published docs bytes (0xAA is no Cayenne frame) with the offset, never a guess', () => {
    rejection(decode(DOCS), 'codec', /^data: truncated Cayenne LPP frame: channel byte at offset 0/);
  });

  it('takes measuredAt from a unix-time channel and flags an old one late', () => {
    const deviceTime = Math.floor(NS_TIME / 1000) * 1000 - 3_600_000; // whole seconds on the wire
    const data = encodeCayenneLpp([
      { channel: 1, type: 'temperature', value: 4 },
      { channel: 9, type: 'unixTime', value: deviceTime / 1000 },
    ]).toString('base64');
    const r = reading(decode(withFields(PUBLISHED, { data }, true)));
    assert.equal(r.measuredAt, deviceTime);
    assert.equal(r.quality.lagMs, RECEIVED - deviceTime);
    assert.equal(r.quality.late, true);
  });

  it('rejects a unix-time channel too far in the future', () => {
    const data = encodeCayenneLpp([
      { channel: 1, type: 'temperature', value: 4 },
      { channel: 9, type: 'unixTime', value: (RECEIVED + 3_600_000) / 1000 },
    ]).toString('base64');
    rejection(decode(withFields(PUBLISHED, { data }, true)), 'future');
  });

  it('falls back to a gateway time, then to our reception time', () => {
    const noTime = withFields(PUBLISHED, { time: null }, true);
    assert.equal(reading(decode(noTime)).measuredAt, RECEIVED);
    const gwTime = withFields(noTime, { 'rxInfo.0.gwTime': '2022-07-18T09:34:15.700Z' });
    assert.equal(reading(decode(gwTime)).measuredAt, NS_TIME - 75);
  });

  it('keeps the best RSSI and SNR and counts the gateways', () => {
    const rxInfo = [
      { gatewayId: 'a', rssi: -110, snr: -7.5 },
      { gatewayId: 'b', rssi: -90, snr: 2 },
      { gatewayId: 'c', rssi: -100, snr: 6.25 },
    ];
    const q = reading(decode(withFields(PUBLISHED, { rxInfo }, true))).quality;
    assert.deepEqual([q.gateways, q.rssi, q.snr], [3, -90, 6.25]);
  });

  it('uses devEui:fCnt:fPort as key without a deduplicationId', () => {
    const r = reading(decode(withFields(PUBLISHED, { deduplicationId: null, fCnt: 42 }, true)));
    assert.equal(r.dedupeKey, `${EUI}:42:1`);
  });

  it("uses ChirpStack's decoded object when the device has no channel map of ours", () => {
    const env = withFields(
      PUBLISHED,
      { object: { temperatureSensor: { '1': 3.5 }, humiditySensor: { '2': 80 } } },
      true,
    );
    const r = reading(decode(env));
    assert.equal(r.temperatureC, 3.5);
    assert.equal(r.humidityPct, 80);
    assert.equal(r.lat, undefined, 'the data bytes were not used');
  });

  it('decodes the bytes through the channel map when the device has one, even with an object', () => {
    const topic = parseTopic('application/app/device/0202020202020202/event/up') as ChirpstackUplinkTopic;
    const data = encodeCayenneLpp([{ channel: 9, type: 'analogInput', value: 2.75 }]).toString('base64');
    const env = withFields(PUBLISHED, { data, object: { temperature: 99 }, deviceInfo: null }, true);
    const r = reading(decode(env, RECEIVED, topic));
    assert.equal(r.deviceId, 'mapped-1');
    assert.equal(r.temperatureC, 2.75);
  });

  it('rejects an uplink with neither data nor object as empty', () => {
    rejection(decode(withFields(PUBLISHED, { data: '' }, true)), 'empty', /neither data nor object/);
  });

  describe('identity', () => {
    it('rejects an unknown DevEUI', () => {
      const topic = parseTopic('application/app/device/0909090909090909/event/up') as ChirpstackUplinkTopic;
      rejection(
        decode(withFields(PUBLISHED, { deviceInfo: {} }, true), RECEIVED, topic),
        'unknown-device',
        /0909090909090909/,
      );
    });

    it('rejects a payload DevEUI that differs from the topic as spoofed', () => {
      rejection(decode(withFields(PUBLISHED, { 'deviceInfo.devEui': '0202020202020202' }, true)), 'spoofed');
    });

    it('compares DevEUIs case-insensitively', () => {
      const topic = parseTopic(
        'application/17c82e96-be03-4f38-aef3-f83d48582d97/device/0101010101010101/event/up',
      );
      const env = withFields(PUBLISHED, { 'deviceInfo.devEui': '0101010101010101'.toUpperCase() }, true);
      assert.equal(reading(decode(env, RECEIVED, topic as ChirpstackUplinkTopic)).deviceId, 'reefer-7');
    });

    it('rejects an application id that differs from the topic as spoofed', () => {
      rejection(decode(withFields(PUBLISHED, { 'deviceInfo.applicationId': 'other' }, true)), 'spoofed');
    });

    it('rejects an uplink on the topic of an application the device does not belong to', () => {
      const uplinkFrom = (app: string) =>
        decode(
          withFields(
            PUBLISHED,
            { 'deviceInfo.devEui': '0404040404040404', 'deviceInfo.applicationId': app },
            true,
          ),
          RECEIVED,
          parseTopic(`application/${app}/device/0404040404040404/event/up`) as ChirpstackUplinkTopic,
        );
      rejection(uplinkFrom('app-b'), 'wrong-application', /belongs to application app-a, not app-b/);
      assert.equal(reading(uplinkFrom('app-a')).deviceId, 'scoped-1');
    });

    it('rejects a device registered for another format', () => {
      const topic = parseTopic('application/app/device/0303030303030303/event/up') as ChirpstackUplinkTopic;
      rejection(
        decode(withFields(PUBLISHED, { deviceInfo: null }, true), RECEIVED, topic),
        'unknown-device',
        /tts/,
      );
    });

    it('rejects a topic DevEUI that is not 16 hex digits', () => {
      const topic = parseTopic('application/app/device/sensor-1/event/up') as ChirpstackUplinkTopic;
      rejection(decode(PUBLISHED, RECEIVED, topic), 'topic');
    });
  });

  describe('hostile envelopes', () => {
    const cases: [string, unknown, RejectionReason, RegExp][] = [
      ['empty payload', Buffer.alloc(0), 'parse', /empty/],
      ['not JSON', Buffer.from('{"fCnt":4'), 'parse', /not JSON/],
      [
        'a BOM before the JSON',
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), toPayload(PUBLISHED)]),
        'parse',
        /not JSON/,
      ],
      ['invalid UTF-8', Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), 'parse', /UTF-8/],
      ['over 64 KiB', Buffer.from(JSON.stringify({ pad: 'x'.repeat(70_000) })), 'too-large', /exceeds/],
      ['JSON null', null, 'schema', /JSON object, got null/],
      ['a JSON array', [PUBLISHED], 'schema', /got an array/],
      [
        'fCnt as a string',
        withFields(PUBLISHED, { fCnt: '7' }, true),
        'schema',
        /fCnt must be a finite number/,
      ],
      ['negative fCnt', withFields(PUBLISHED, { fCnt: -1 }, true), 'schema', /fCnt must be an integer/],
      ['fPort past 255', withFields(PUBLISHED, { fPort: 300 }, true), 'schema', /fPort/],
      [
        'deviceInfo as a string',
        withFields(PUBLISHED, { deviceInfo: 'x' }, true),
        'schema',
        /deviceInfo must be an object/,
      ],
      [
        'rxInfo as an object',
        withFields(PUBLISHED, { rxInfo: {} }, true),
        'schema',
        /rxInfo must be an array/,
      ],
      ['a null rxInfo entry', withFields(PUBLISHED, { rxInfo: [null] }, true), 'schema', /rxInfo\[0\]/],
      [
        'RSSI as a string',
        withFields(PUBLISHED, { 'rxInfo.0.rssi': '-36' }, true),
        'schema',
        /rxInfo\[0\]\.rssi/,
      ],
      [
        'a huge rxInfo array',
        withFields(PUBLISHED, { rxInfo: new Array(5000).fill({}) }, true),
        'schema',
        /5000 entries/,
      ],
      ['data as a number', withFields(PUBLISHED, { data: 42 }, true), 'schema', /data must be a string/],
      ['data that is not base64', withFields(PUBLISHED, { data: 'A2c*AQ==' }, true), 'parse', /base64/],
      [
        'a time without zone',
        withFields(PUBLISHED, { time: '2022-07-18T09:34:15' }, true),
        'schema',
        /RFC 3339/,
      ],
      ['a __proto__ key', Buffer.from('{"__proto__":{"isAdmin":true},"fPort":1}'), 'schema', /__proto__/],
      [
        'a constructor key',
        withFields(PUBLISHED, { object: { constructor: { prototype: {} } } }, true),
        'schema',
        /forbidden/,
      ],
      [
        'a temperature as a string',
        withFields(PUBLISHED, { object: { temperature: '4.5' } }, true),
        'schema',
        /object\.temperature/,
      ],
      [
        'a channel key that is no number',
        withFields(PUBLISHED, { object: { temperatureSensor: { x: 1 } } }, true),
        'schema',
        /no channel/,
      ],
      [
        '10 000 object keys',
        withFields(
          PUBLISHED,
          { object: Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, 1])) },
          true,
        ),
        'schema',
        /keys/,
      ],
      ['deep nesting', Buffer.from('['.repeat(60_000)), 'parse', /not JSON/],
      [
        'a temperature of 1e400 (Infinity once parsed)',
        Buffer.from(
          JSON.stringify(withFields(PUBLISHED, { object: { temperature: 12345 } }, true)).replace(
            '12345',
            '1e400',
          ),
        ),
        'schema',
        /object\.temperature must be a finite number/,
      ],
      [
        'a temperature out of bounds',
        withFields(PUBLISHED, { object: { temperature: 300 } }, true),
        'range',
        /temperatureC=300/,
      ],
    ];
    for (const [name, payload, reason, detail] of cases) {
      it(`rejects ${name} as ${reason}`, () => {
        rejection(decode(payload), reason, detail);
      });
    }

    it('leaves Object.prototype untouched', () => {
      decode(Buffer.from('{"__proto__":{"polluted":true}}'));
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });

    it('never throws, whatever JSON arrives', () => {
      fc.assert(
        fc.property(fc.jsonValue(), fc.boolean(), (value, nest) => {
          const envelope = nest
            ? withFields(PUBLISHED, { rxInfo: [value], object: { x: value } }, true)
            : value;
          const result = decode(Buffer.from(JSON.stringify(envelope) ?? 'null'));
          assert.equal(typeof result.ok, 'boolean');
        }),
        { numRuns: 500 },
      );
    });
  });
});
