import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DecodedReading } from '#src/contracts/reading.js';
import { parseTopic } from '#src/contracts/topics.js';
import { encodeCayenneLpp } from '#src/ingestion/codecs/cayenne-lpp.codec.js';
import type { DecodeResult, RejectionReason } from '#src/ingestion/decode-result.js';
import { decodeTtsUplink, type TtsUplinkTopic } from './tts.decoder.js';
import {
  InMemoryDeviceLookup,
  loadLorawanFixture,
  omitDefaults,
  toPayload,
  withFields,
  type Json,
} from './lorawan.testing.js';

const lookup = new InMemoryDeviceLookup([
  { deviceId: 'box-12', devEui: '0004a30b001c0530', format: 'tts' },
  { deviceId: 'pallet-3', devEui: '4200000000000000', format: 'tts' },
  { deviceId: 'dev9', devEui: '0909090909090909', format: 'tts' },
  { deviceId: 'abp-1', format: 'tts' },
  { deviceId: 'cs-1', devEui: '0101010101010101', format: 'chirpstack' },
  { deviceId: 'scoped-1', format: 'tts', application: 'app1@tenant1' },
]);

function topic(deviceId: string, app = 'app1'): TtsUplinkTopic {
  return parseTopic(`v3/${app}@tenant1/devices/${deviceId}/up`) as TtsUplinkTopic;
}

const FRAME = encodeCayenneLpp([
  { channel: 1, type: 'temperature', value: 2.7 },
  { channel: 2, type: 'humidity', value: 91 },
  { channel: 3, type: 'voltage', value: 3.3 },
]).toString('base64');
const VALUES = { temperatureC: 2.7, humidityPct: 91, batteryPct: 50 };

function decode(
  envelope: unknown,
  deviceId = 'dev1',
  receivedAt = Date.UTC(2020, 1, 12, 15, 16),
): DecodeResult {
  const payload = Buffer.isBuffer(envelope) ? envelope : toPayload(envelope);
  return decodeTtsUplink(topic(deviceId), payload, receivedAt, lookup);
}

function reading(result: DecodeResult): DecodedReading {
  if (!result.ok) assert.fail(`${result.rejection.reason}: ${result.rejection.detail}`);
  return result.readings[0];
}

function rejection(result: DecodeResult, reason: RejectionReason, detail?: RegExp): void {
  assert.equal(result.ok, false, 'must be rejected');
  if (result.ok) return;
  assert.equal(result.rejection.reason, reason, result.rejection.detail);
  if (detail) assert.match(result.rejection.detail, detail);
}

/** The three shapes of one envelope whose decoded_payload was taken out, so frm_payload is read. */
function shapes(base: Json): Record<string, Json> {
  const published = withFields(base, { 'uplink_message.frm_payload': FRAME }, true);
  delete (published.uplink_message as Json).decoded_payload;
  return {
    'as published': published,
    'every default omitted': omitDefaults(published) as Json,
    'defaults present': withFields(published, {
      'uplink_message.f_cnt': 0,
      'uplink_message.f_port': 0,
      'uplink_message.decoded_payload': {},
      'uplink_message.confirmed': false,
      simulated: false,
    }),
    'fields null': withFields(published, {
      'uplink_message.f_cnt': null,
      'uplink_message.f_port': null,
      'uplink_message.decoded_payload': null,
      'uplink_message.locations': null,
      received_at: null,
    }),
  };
}

describe(decodeTtsUplink.name, () => {
  describe('data-formats docs sample with a Cayenne LPP frame', () => {
    const base = loadLorawanFixture('tts-v3-uplink.data-formats.fixed.json');
    for (const [name, envelope] of Object.entries(shapes(base))) {
      it(`decodes it ${name}`, () => {
        const r = reading(decode(envelope));
        assert.deepEqual(
          { ...r, quality: { ...r.quality } },
          {
            deviceId: 'box-12',
            measuredAt: Date.parse('2020-02-12T15:15:45.789Z'),
            receivedAt: Date.UTC(2020, 1, 12, 15, 16),
            source: 'tts',
            dedupeKey: '0004a30b001c0530:1:0:AXA50tHUGUucuzS/bCGMNw==',
            ...VALUES,
            quality: { fCnt: 1, fPort: 0, gateways: 1, rssi: -35, snr: 5, lagMs: 14_211, late: false },
          },
        );
      });
    }

    it('uses decoded_payload as published when the device has no channel map', () => {
      const r = reading(decode(base));
      assert.equal(r.temperatureC, 1);
      assert.equal(r.humidityPct, undefined);
    });
  });

  describe('MQTT docs sample (no f_cnt, no received_at)', () => {
    const base = loadLorawanFixture('tts-v3-uplink.mqtt-docs.json');
    for (const [name, envelope] of Object.entries(shapes(base))) {
      it(`decodes it ${name}`, () => {
        const r = reading(decode(envelope));
        assert.equal(r.deviceId, 'pallet-3');
        assert.deepEqual(
          { temperatureC: r.temperatureC, humidityPct: r.humidityPct, batteryPct: r.batteryPct },
          VALUES,
        );
        assert.equal(
          r.measuredAt,
          Date.parse('2019-01-29T13:02:34.981Z'),
          'gateway time, the only one there',
        );
        assert.equal(r.quality.fCnt, 0, 'an omitted f_cnt is the proto3 default');
        assert.equal(r.dedupeKey, '4200000000000000:0:15:AWiZpAyXrAfEkUNkBljRoA==');
        assert.equal(r.quality.late, true, 'a year-old uplink is accepted and flagged late');
      });
    }

    it('refuses the published text bytes as Cayenne LPP, naming offset and type', () => {
      rejection(decode(base), 'codec', /unknown Cayenne LPP type 114 at offset 4/);
    });
  });

  describe('identity', () => {
    const base = shapes(loadLorawanFixture('tts-v3-uplink.data-formats.fixed.json'))['as published'];

    it('rejects an envelope device id that differs from the topic as spoofed', () => {
      rejection(decode(base, 'dev2'), 'spoofed', /device_id/);
    });

    it('rejects an application id that differs from the topic as spoofed', () => {
      const result = decodeTtsUplink(topic('dev1', 'app2'), toPayload(base), Date.now(), lookup);
      rejection(result, 'spoofed', /application_id/);
    });

    it('rejects an uplink on the topic of an application the device does not belong to', () => {
      const uplinkFrom = (app: string) =>
        decodeTtsUplink(
          topic('scoped-1', app),
          toPayload(
            withFields(
              base,
              {
                'end_device_ids.device_id': 'scoped-1',
                'end_device_ids.dev_eui': null,
                'end_device_ids.application_ids.application_id': app,
              },
              true,
            ),
          ),
          Date.now(),
          lookup,
        );
      rejection(
        uplinkFrom('app2'),
        'wrong-application',
        /belongs to application app1@tenant1, not app2@tenant1/,
      );
      assert.equal(reading(uplinkFrom('app1')).deviceId, 'scoped-1');
    });

    it('rejects a dev_eui that is not the one registered for the device id as spoofed', () => {
      const env = withFields(
        base,
        { 'end_device_ids.device_id': 'dev9', 'end_device_ids.dev_eui': 'AAAAAAAAAAAAAAAA' },
        true,
      );
      rejection(decode(env, 'dev9'), 'spoofed', /not the DevEUI registered/);
    });

    it('finds a device without dev_eui by its id and keys it by time', () => {
      const env = withFields(
        base,
        { 'end_device_ids.device_id': 'abp-1', 'end_device_ids.dev_eui': null },
        true,
      );
      const r = reading(decode(env, 'abp-1'));
      assert.equal(r.deviceId, 'abp-1');
      assert.equal(r.dedupeKey, `abp-1:${r.measuredAt}`);
    });

    it('rejects an unknown device', () => {
      const env = withFields(
        base,
        { 'end_device_ids.device_id': 'nobody', 'end_device_ids.dev_eui': 'BBBBBBBBBBBBBBBB' },
        true,
      );
      rejection(decode(env, 'nobody'), 'unknown-device', /bbbbbbbbbbbbbbbb/);
    });

    it('rejects a device registered for ChirpStack', () => {
      const env = withFields(
        base,
        { 'end_device_ids.device_id': 'cs-1', 'end_device_ids.dev_eui': '0101010101010101' },
        true,
      );
      rejection(decode(env, 'cs-1'), 'unknown-device', /chirpstack/);
    });
  });

  describe('hostile envelopes', () => {
    const base = shapes(loadLorawanFixture('tts-v3-uplink.data-formats.fixed.json'))['as published'];
    const cases: [string, unknown, RejectionReason, RegExp][] = [
      [
        'no uplink_message',
        withFields(base, { uplink_message: null }, true),
        'schema',
        /uplink_message is missing/,
      ],
      [
        'f_cnt as a string',
        withFields(base, { 'uplink_message.f_cnt': '1' }, true),
        'schema',
        /f_cnt must be a finite number/,
      ],
      [
        'a dev_eui that is no EUI',
        withFields(base, { 'end_device_ids.dev_eui': '../../etc' }, true),
        'schema',
        /dev_eui/,
      ],
      [
        'rx_metadata of 10 000 gateways',
        withFields(base, { 'uplink_message.rx_metadata': new Array(10_000).fill(0) }, true),
        'schema',
        /10000 entries/,
      ],
      [
        'frm_payload past LoRaWAN size',
        withFields(base, { 'uplink_message.frm_payload': 'A'.repeat(4000) }, true),
        'schema',
        /base64 characters/,
      ],
      [
        'decoded_payload as an array',
        withFields(base, { 'uplink_message.decoded_payload': [1] }, true),
        'schema',
        /decoded_payload must be an object/,
      ],
      [
        'a prototype key',
        Buffer.from('{"uplink_message":{"decoded_payload":{"prototype":{"x":1}}}}'),
        'schema',
        /prototype/,
      ],
      [
        'GPS without longitude',
        withFields(base, { 'uplink_message.decoded_payload': { gps_1: { latitude: 52 } } }, true),
        'schema',
        /gps_1 needs latitude and longitude/,
      ],
    ];
    for (const [name, payload, reason, detail] of cases) {
      it(`rejects ${name} as ${reason}`, () => {
        rejection(decode(payload), reason, detail);
      });
    }

    it('reads gateway times only when the network server gives none', () => {
      const badGatewayTime = { 'uplink_message.rx_metadata': [{ rssi: -80, snr: 3, time: 'yesterday' }] };
      const withNsTime = withFields(
        base,
        { ...badGatewayTime, 'uplink_message.received_at': '2020-02-12T15:15:46Z' },
        true,
      );
      assert.equal(reading(decode(withNsTime)).measuredAt, Date.UTC(2020, 1, 12, 15, 15, 46));
      const withoutNsTime = withFields(
        base,
        {
          ...badGatewayTime,
          received_at: null,
          'uplink_message.received_at': null,
          'uplink_message.settings': null,
        },
        true,
      );
      rejection(decode(withoutNsTime), 'schema', /rx_metadata\[0\]\.time/);
    });

    it("reads TTS's own Cayenne formatter output", () => {
      const env = withFields(
        base,
        {
          'uplink_message.decoded_payload': {
            temperature_3: -21.5,
            relative_humidity_4: 40,
            gps_5: { latitude: -12.5, longitude: -77.25, altitude: 150 },
            accelerometer_6: { x: 0, y: 0, z: -2 },
            luminosity_7: 5,
          },
        },
        true,
      );
      const r = reading(decode(env));
      assert.deepEqual(
        [r.temperatureC, r.humidityPct, r.lat, r.lon, r.altM, r.shockG],
        [-21.5, 40, -12.5, -77.25, 150, 2],
      );
    });
  });
});
