// Decoding throughput on one core: ChirpStack v4 and TTS uplinks carrying Cayenne LPP frames, and
// native JSON readings (accepted and refused), from raw MQTT payload bytes to a checked canonical
// reading. Run after a build:
//   node dist/test/bench/decode.bench.js
// Prints the figures and writes them to docs/bench/decode.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { decodeCayenneLpp, encodeCayenneLpp } from '#src/ingestion/codecs/cayenne-lpp.codec.js';
import { NativeJsonDecoder } from '#src/ingestion/json/native-json.decoder.js';
import { decodeChirpstackUplink } from '#src/ingestion/lorawan/chirpstack.decoder.js';
import { decodeTtsUplink } from '#src/ingestion/lorawan/tts.decoder.js';
import { InMemoryDeviceLookup } from '#src/ingestion/lorawan/lorawan.testing.js';

const DEVICES = 1000;
const RUN_MS = 3000;

const euis = Array.from({ length: DEVICES }, (_, i) =>
  (0x70b3d50000000000n + BigInt(i)).toString(16).padStart(16, '0'),
);
const lookup = new InMemoryDeviceLookup(
  euis.flatMap((devEui, i) => [
    { deviceId: `reefer-${i}`, devEui, format: 'chirpstack' as const },
    { deviceId: `tts-${i}`, format: 'tts' as const },
  ]),
);
const t0 = Date.UTC(2026, 10, 22, 8, 0, 0);

function frame(i: number): Buffer {
  return encodeCayenneLpp([
    { channel: 1, type: 'temperature', value: -18 + (i % 50) / 10 },
    { channel: 2, type: 'humidity', value: 40 + (i % 20) },
    { channel: 3, type: 'accelerometer', value: { x: 0.01 * (i % 7), y: -0.02, z: 1.001 } },
    { channel: 4, type: 'gps', value: { lat: 48.85 + i / 1e4, lon: 2.35, altM: 35 } },
    { channel: 5, type: 'percentage', value: 90 - (i % 30) },
  ]);
}

/** Shaped like the ChirpStack v4 docs example (`deviceInfo`, one gateway in `rxInfo`, `txInfo`). */
function chirpstackUplink(i: number) {
  const devEui = euis[i % DEVICES];
  const envelope = {
    deduplicationId: `3ac7e3c4-4401-4b8d-9386-${i.toString(16).padStart(12, '0')}`,
    time: new Date(t0 + i * 10).toISOString(),
    deviceInfo: {
      tenantId: '52f14cd4-c6f1-4fbd-8f87-4025e1d49242',
      tenantName: 'ChirpStack',
      applicationId: 'cold-chain',
      applicationName: 'Cold chain',
      deviceProfileId: '14855bf7-d10d-4aee-b618-ebfcb64dc7ad',
      deviceProfileName: 'Reefer sensor',
      deviceName: `reefer-${i % DEVICES}`,
      devEui,
      tags: {},
    },
    devAddr: '00189440',
    adr: true,
    dr: 5,
    fCnt: i,
    fPort: 2,
    confirmed: false,
    data: frame(i).toString('base64'),
    rxInfo: [
      {
        gatewayId: '0016c001f153a14c',
        uplinkId: 4217106255,
        rssi: -90 - (i % 30),
        snr: 7.5,
        context: 'E3OWOQ==',
        metadata: { region_name: 'eu868', region_common_name: 'EU868' },
      },
    ],
    txInfo: {
      frequency: 867100000,
      modulation: { lora: { bandwidth: 125000, spreadingFactor: 7, codeRate: 'CR_4_5' } },
    },
  };
  return {
    topic: { kind: 'chirpstackUplink' as const, applicationId: 'cold-chain', devEui },
    payload: Buffer.from(JSON.stringify(envelope)),
  };
}

function ttsUplink(i: number) {
  const deviceId = `tts-${i % DEVICES}`;
  const envelope = {
    end_device_ids: {
      device_id: deviceId,
      application_ids: { application_id: 'cold-chain' },
      dev_addr: '00BCB929',
    },
    correlation_ids: ['as:up:01E0WZGT6Y7657CPFPE5WEYDSQ', 'gs:conn:01E0WDEC6T5T4XXBAX7S1VMFKE'],
    received_at: new Date(t0 + i * 10).toISOString(),
    uplink_message: {
      f_port: 2,
      f_cnt: i,
      frm_payload: frame(i).toString('base64'),
      rx_metadata: [
        { gateway_ids: { gateway_id: 'gtw1' }, time: new Date(t0 + i * 10).toISOString(), rssi: -95, snr: 5 },
      ],
      settings: { data_rate: { lora: { bandwidth: 125000, spreading_factor: 7 } }, frequency: '868300000' },
      received_at: new Date(t0 + i * 10).toISOString(),
    },
  };
  return {
    topic: { kind: 'ttsUplink' as const, applicationId: 'cold-chain', tenantId: 'acme', deviceId },
    payload: Buffer.from(JSON.stringify(envelope)),
  };
}

/** Runs `step` over the inputs round-robin for RUN_MS after a warm-up; returns operations per second. */
function measure(count: number, step: (i: number) => boolean): number {
  for (let i = 0; i < 20_000; i++) if (!step(i % count)) throw new Error(`input ${i % count} was rejected`);
  let done = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(RUN_MS) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (let k = 0; k < 1000; k++) {
      if (!step(done % count)) throw new Error(`input ${done % count} was rejected`);
      done++;
    }
    now = process.hrtime.bigint();
  }
  return Math.round(done / (Number(now - start) / 1e9));
}

const cs = Array.from({ length: 4096 }, (_, i) => chirpstackUplink(i));
const tts = Array.from({ length: 4096 }, (_, i) => ttsUplink(i));
const frames = cs.map((_, i) => frame(i));
const receivedAt = t0 + 4096 * 10 + 1000;

const chirpstackPerSecond = measure(
  cs.length,
  (i) => decodeChirpstackUplink(cs[i].topic, cs[i].payload, receivedAt, lookup).ok,
);
const ttsPerSecond = measure(
  tts.length,
  (i) => decodeTtsUplink(tts[i].topic, tts[i].payload, receivedAt, lookup).ok,
);
const lppPerSecond = measure(frames.length, (i) => decodeCayenneLpp(frames[i]).ok);
// Native JSON: the ordinary reading, and a refused one (a string temperature), whose reasons cost more.
const native = new NativeJsonDecoder();
const nativeOk = Array.from({ length: 4096 }, (_, i) =>
  Buffer.from(
    JSON.stringify({
      ts: t0 + i * 10,
      seq: i,
      temperature: -18 + (i % 50) / 10,
      humidity: 40 + (i % 20),
      lat: 48.85 + i / 1e4,
      lon: 2.35,
      battery: 90 - (i % 30),
      door: i % 2 ? 'open' : 'closed',
    }),
  ),
);
const nativeBad = nativeOk.map((_, i) => Buffer.from(`{"ts":${t0 + i * 10},"temperature":"${i % 50}"}`));
const nativePerSecond = measure(
  nativeOk.length,
  (i) => native.decode('dev-1', nativeOk[i], receivedAt)[0].ok,
);
const nativeRefusedPerSecond = measure(
  nativeBad.length,
  (i) => !native.decode('dev-1', nativeBad[i], receivedAt)[0].ok,
);
// The floor no decoder of JSON envelopes can beat: parsing alone.
const jsonParsePerSecond = measure(cs.length, (i) => JSON.parse(cs[i].payload.toString('utf8')) !== null);

const result = {
  benchmark: 'decode',
  what: 'raw MQTT payload → checked DecodedReading, one core, 5-value Cayenne LPP frame (temperature, humidity, accelerometer, GPS, battery)',
  chirpstackUplinksPerSecond: chirpstackPerSecond,
  ttsUplinksPerSecond: ttsPerSecond,
  cayenneFramesPerSecond: lppPerSecond,
  jsonParseOnlyPerSecond: jsonParsePerSecond,
  nativeJsonReadingsPerSecond: nativePerSecond,
  nativeJsonRefusedPerSecond: nativeRefusedPerSecond,
  chirpstackEnvelopeBytes: cs[0].payload.length,
  loadAverage1m: Math.round(loadavg()[0] * 100) / 100,
  cores: cpus().length,
  target: 100_000,
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  runMs: RUN_MS,
  date: new Date().toISOString(),
};

console.log(
  `ChirpStack + Cayenne LPP uplinks decoded: ${chirpstackPerSecond.toLocaleString('en')} /s on one core`,
);
console.log(`TTS + Cayenne LPP uplinks decoded:        ${ttsPerSecond.toLocaleString('en')} /s`);
console.log(`Cayenne LPP frames alone:                 ${lppPerSecond.toLocaleString('en')} /s`);
console.log(`JSON.parse of the same envelopes alone:   ${jsonParsePerSecond.toLocaleString('en')} /s`);
console.log(`native JSON readings decoded:             ${nativePerSecond.toLocaleString('en')} /s`);
console.log(`native JSON readings refused (schema):    ${nativeRefusedPerSecond.toLocaleString('en')} /s`);
console.log(`load average (1 min) while measuring:     ${result.loadAverage1m} on ${result.cores} cores`);
mkdirSync('docs/bench', { recursive: true });
writeFileSync('docs/bench/decode.json', `${JSON.stringify(result, null, 2)}\n`);
console.log('written to docs/bench/decode.json');
