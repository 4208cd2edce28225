import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { chirpstackUplinkTopic, deviceTelemetryTopic } from '#src/contracts/topics.js';
import { encodeCayenneLpp } from '#src/ingestion/codecs/cayenne-lpp.codec.js';

/**
 * The benchmark fleet: containers numbered 0…n-1, one device each. Even numbers carry a native
 * JSON logger, odd numbers a LoRaWAN logger behind ChirpStack (Cayenne LPP). Two containers in
 * {@link PROBE_EVERY} are latency probes (ids `BP-…`): the load generators give them a fixed share
 * of the messages, and the bench looks their readings up by primary key while the load runs.
 */
export const PROBE_EVERY = 750;
export const CHIRPSTACK_APP_ID = '7a2b6f0e-1c4d-4e8a-9b3f-5d6c7e8f9a0b';
/** Where every bench container is parked (inside the DC-LYON-SQF geofence of the example seed). */
export const PARK = { lat: 45.6418, lon: 5.1135 };
export const ORIGIN_SITE = 'DC-LYON-SQF';
export const DESTINATION_SITE = 'HM-PARIS-VILLIERS';

export type BenchFormat = 'json' | 'chirpstack';

export const isProbe = (i: number): boolean => i % PROBE_EVERY < 2;
export const containerId = (i: number): string => `${isProbe(i) ? 'BP' : 'BC'}-${String(i).padStart(6, '0')}`;
export const formatOf = (i: number): BenchFormat => (i % 2 === 0 ? 'json' : 'chirpstack');
export const deviceId = (i: number): string => `${formatOf(i) === 'json' ? 'bj' : 'bl'}-${i}`;
export const devEui = (i: number): string => (0x70b3d5be00000000n + BigInt(i)).toString(16).padStart(16, '0');

/** Indexes of the devices of one format among the first `containers`. */
export function devicesOf(format: BenchFormat, containers: number): number[] {
  const out: number[] = [];
  for (let i = format === 'json' ? 0 : 1; i < containers; i += 2) out.push(i);
  return out;
}

/**
 * The device list of a run: every device of the format once, then its probes repeated so they
 * carry `probeShare` of the messages (round-robin over this list).
 */
export function runDevices(format: BenchFormat, containers: number, probeShare = 0.02): number[] {
  const all = devicesOf(format, containers);
  const probes = all.filter(isProbe);
  const extra = Math.max(0, Math.round(probeShare * all.length) - probes.length);
  if (probes.length === 0 || extra === 0) return all;
  const out: number[] = [];
  const every = all.length / extra;
  let inserted = 0;
  for (let k = 0; k < all.length; k++) {
    out.push(all[k]);
    while (inserted < extra && k + 1 >= (inserted + 1) * every) out.push(probes[inserted++ % probes.length]);
  }
  return out;
}

/** Fleet seed (FLEET_SEED_FILE) with the example sites and `containers` bench containers. */
export function writeSeedFile(path: string, containers: number, sites: unknown[]): void {
  const seed = {
    sites,
    containers: Array.from({ length: containers }, (_, i) => ({
      id: containerId(i),
      kind: 'roll-cage',
      label: containerId(i),
    })),
    devices: Array.from({ length: containers }, (_, i) =>
      formatOf(i) === 'json'
        ? { id: deviceId(i), format: 'json', model: 'generic-mqtt', containerId: containerId(i) }
        : {
            id: deviceId(i),
            format: 'chirpstack',
            model: 'reefer-logger-lpp',
            devEui: devEui(i),
            containerId: containerId(i),
          },
    ),
  };
  writeFileSync(path, JSON.stringify(seed));
}

/** A message as published: topic and bytes. */
export interface BenchMessage {
  topic: string;
  payload: Buffer;
}

const jsonTopics = new Map<number, string>();

/**
 * A native JSON reading (~150 bytes). `ts` comes first and is epoch ms, so a counting subscriber
 * reads the publish time at a fixed offset without parsing.
 */
export function jsonMessage(i: number, seq: number, now: number): BenchMessage {
  let topic = jsonTopics.get(i);
  if (topic === undefined) jsonTopics.set(i, (topic = deviceTelemetryTopic(deviceId(i))));
  const t = (3 + (seq % 10) / 10).toFixed(1);
  const body =
    `{"ts":${now},"seq":${seq},"temperature":${t},"humidity":55.5,"shock":0.12,"battery":87,` +
    `"lat":${PARK.lat},"lon":${PARK.lon},"alt":180,"door":"closed"}`;
  return { topic, payload: Buffer.from(body) };
}

/**
 * A ChirpStack v4 uplink event (~700 bytes) with a Cayenne LPP frame (temperature, humidity,
 * GPS, battery) and no device time, so measuredAt is the network server's `time`: the publish
 * time, to the millisecond.
 */
export function chirpstackMessage(i: number, fCnt: number, now: number): BenchMessage {
  const frame = encodeCayenneLpp([
    { channel: 1, type: 'temperature', value: 3 + (fCnt % 10) / 10 },
    { channel: 2, type: 'humidity', value: 55.5 },
    { channel: 4, type: 'gps', value: { lat: PARK.lat, lon: PARK.lon, altM: 180 } },
    { channel: 5, type: 'percentage', value: 87 },
  ]);
  const eui = devEui(i);
  const time = new Date(now).toISOString();
  const body =
    `{"deduplicationId":"${randomUUID()}","time":"${time}","deviceInfo":{"tenantId":"52f14cd4-c6f1-4fbd-8f87-4025e1d49242",` +
    `"tenantName":"convoi","applicationId":"${CHIRPSTACK_APP_ID}","applicationName":"bench",` +
    `"deviceProfileId":"0f3c6f4e-3c2a-4c1b-9a55-2f1b8c7d6e5f","deviceProfileName":"reefer-logger-lpp",` +
    `"deviceName":"${deviceId(i)}","devEui":"${eui}","deviceClassEnabled":"CLASS_A","tags":{}},` +
    `"devAddr":"01${eui.slice(-6)}","adr":true,"dr":5,"fCnt":${fCnt},"fPort":1,"confirmed":false,` +
    `"data":"${frame.toString('base64')}","rxInfo":[{"gatewayId":"0016c001ff10a235","uplinkId":${fCnt & 0xffff},` +
    `"gwTime":"${time}","rssi":-87,"snr":7.5,"channel":1,"rfChain":0,"location":{"latitude":45.64,` +
    `"longitude":5.11,"altitude":0},"context":"AAAAAA==","metadata":{"region_config_id":"eu868",` +
    `"region_common_name":"EU868"},"crcStatus":"CRC_OK"}],"txInfo":{"frequency":868100000,` +
    `"modulation":{"lora":{"bandwidth":125000,"spreadingFactor":7,"codeRate":"CR_4_5"}}}}`;
  return { topic: chirpstackUplinkTopic(CHIRPSTACK_APP_ID, eui), payload: Buffer.from(body) };
}

/** Publish time carried by a bench message (JSON `ts` or ChirpStack `time`), epoch ms; NaN if none. */
export function publishTimeOf(payload: Buffer): number {
  if (payload[2] === 0x74 && payload[3] === 0x73) return Number(payload.toString('latin1', 6, 19));
  const at = payload.indexOf('"time":"');
  return at < 0 ? Number.NaN : Date.parse(payload.toString('latin1', at + 8, at + 32));
}
