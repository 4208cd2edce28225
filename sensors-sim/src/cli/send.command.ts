import { isValidId, DEV_EUI_PATTERN, normalizeDevEui } from '#src/contracts/identifiers.js';
import type { NativeReadingPayload } from '#src/contracts/reading.js';
import { READING_BOUNDS } from '#src/contracts/reading.js';
import { encodeCayenneLpp } from '#src/ingestion/codecs/cayenne-lpp.codec.js';
import type { LppValue } from '#src/ingestion/codecs/cayenne-lpp.types.js';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { InvalidArgumentError, type Command } from 'commander';
import { encodeChirpstackUplink } from '../formats/chirpstack.format.js';
import { LPP_CHANNELS } from '../formats/lpp-frame.js';
import type { EncodedMessage } from '../formats/native-json.format.js';
import { networkIdentity } from '../formats/network-identity.js';
import { encodeTtsUplink } from '../formats/tts.format.js';
import { uuid } from '../lora/lora-channel.js';
import { hearing } from '../lora/radio.model.js';
import { MqttPublisher } from '../publish/mqtt.publisher.js';
import { Prng } from '../random/prng.js';
import type { WireFormat } from '../scenario/scenario.types.js';
import { siteById } from '../world/sites.js';
import { numberIn, parseCount, parseFormat, parseInstant } from './cli-options.js';
import { addBrokerOptions, type BrokerCliOptions } from './publish-options.js';
import { UsageError } from './usage.error.js';

interface SendOptions extends BrokerCliOptions {
  device: string;
  temperature?: number;
  humidity?: number;
  shock?: number;
  lat?: number;
  lon?: number;
  alt?: number;
  battery?: number;
  door?: 'open' | 'closed';
  time?: number;
  format: WireFormat;
  devEui?: string;
  fcnt?: number;
  seed: string;
}

const B = READING_BOUNDS;

export function registerSendCommand(program: Command): void {
  const command = program
    .command('send')
    .description('send one reading for one device (checking a sensor or a rule by hand)')
    .requiredOption('--device <id>', 'device id', parseDeviceId)
    .option('--temperature <°C>', 'temperature, °C', numberIn(B.temperatureC.min, B.temperatureC.max))
    .option('--humidity <%>', 'relative humidity, %', numberIn(0, 100))
    .option('--shock <g>', 'peak acceleration, g', numberIn(0, 200))
    .option('--lat <deg>', 'latitude (with --lon)', numberIn(-90, 90))
    .option('--lon <deg>', 'longitude (with --lat)', numberIn(-180, 180))
    .option('--alt <m>', 'altitude, m', numberIn(B.altM.min, B.altM.max))
    .option('--battery <%>', 'battery, %', numberIn(0, 100))
    .option('--door <open|closed>', 'door state (json only)', parseDoor)
    .option('--time <iso|now>', 'measurement time (default: now)', parseInstant)
    .option('--format <format>', 'wire format: json | chirpstack | tts', parseFormat, 'json')
    .option(
      '--dev-eui <hex16>',
      'DevEUI for chirpstack/tts (default: derived from the device id)',
      parseDevEui,
    )
    .option('--fcnt <n>', 'LoRaWAN frame counter (chirpstack/tts)', parseCount)
    .option('--seed <seed>', 'seed of the simulated network identity', 'convoi');
  addBrokerOptions(command).action(async (o: SendOptions) => {
    const message = buildMessage(o);
    const publisher = new MqttPublisher({
      brokerUrl: o.broker,
      connections: o.connections ?? (o.username || o.format !== 'json' ? 'single' : 'per-device'),
      username: o.username,
      password: o.password,
      speedup: Infinity,
      simStartMs: 0,
      qos: o.qos,
    });
    const stats = await publisher.publishAll([{ atSimMs: 0, deviceId: o.device, ...message }]);
    if (stats.sent !== 1) throw new Error(`not sent: ${stats.firstError ?? 'unknown error'}`);
    process.stdout.write(`sent to ${message.topic}: ${message.payload.toString()}\n`);
  });
}

function buildMessage(o: SendOptions): EncodedMessage {
  if ((o.lat === undefined) !== (o.lon === undefined)) throw new UsageError('--lat and --lon go together');
  const values = [o.temperature, o.humidity, o.shock, o.lat, o.battery, o.door];
  if (values.every((v) => v === undefined)) {
    throw new UsageError(
      'give at least one of --temperature, --humidity, --shock, --lat/--lon, --battery, --door',
    );
  }
  const atMs = o.time ?? Date.now();
  if (o.format === 'json') {
    const payload: NativeReadingPayload = {
      ts: new Date(atMs).toISOString(),
      temperature: o.temperature,
      humidity: o.humidity,
      shock: o.shock,
      lat: o.lat,
      lon: o.lon,
      alt: o.lat === undefined ? undefined : o.alt,
      battery: o.battery,
      door: o.door,
    };
    // JSON.stringify leaves out the values not given.
    return { topic: deviceTelemetryTopic(o.device), payload: Buffer.from(JSON.stringify(payload)) };
  }
  const lpp: LppValue[] = [];
  const ch = LPP_CHANNELS;
  if (o.temperature !== undefined)
    lpp.push({ channel: ch.temperature, type: 'temperature', value: o.temperature });
  if (o.humidity !== undefined) lpp.push({ channel: ch.humidity, type: 'humidity', value: o.humidity });
  if (o.shock !== undefined) {
    lpp.push({
      channel: ch.accelerometer,
      type: 'accelerometer',
      value: { x: 0, y: 0, z: Math.min(o.shock, 32.767) },
    });
  }
  if (o.lat !== undefined && o.lon !== undefined) {
    lpp.push({ channel: ch.gps, type: 'gps', value: { lat: o.lat, lon: o.lon, altM: o.alt ?? 0 } });
  }
  if (o.battery !== undefined)
    lpp.push({ channel: ch.battery, type: 'percentage', value: Math.round(o.battery) });
  lpp.push({ channel: ch.unixTime, type: 'unixTime', value: Math.floor(atMs / 1000) });

  const prng = Prng.derive(o.seed, `send/${o.device}/${atMs}`);
  const idPrng = Prng.derive(o.seed, `send-ids/${o.device}`);
  const devEui = o.devEui ?? `a8${idPrng.hex(7)}`;
  const where =
    o.lat !== undefined && o.lon !== undefined
      ? { lat: o.lat, lon: o.lon, altM: 0 }
      : siteById('lyon-sqf').location;
  const { receptions, spreadingFactor } = hearing(prng, where);
  const uplink = {
    fCnt: o.fcnt ?? 0,
    deliverAtMs: atMs,
    receivedAtMs: atMs,
    receptions,
    spreadingFactor,
    uplinkId: uuid(prng),
  };
  const ids = networkIdentity(o.seed);
  const lora = { deviceId: o.device, devEui, devAddr: idPrng.hex(4) };
  const frame = encodeCayenneLpp(lpp);
  return o.format === 'chirpstack'
    ? encodeChirpstackUplink(lora, frame, uplink, ids.chirpstack)
    : encodeTtsUplink(lora, frame, uplink, ids.tts);
}

function parseDeviceId(value: string): string {
  if (!isValidId(value))
    throw new InvalidArgumentError(`"${value as string}" is not a device id (1-64 of A-Z a-z 0-9 . _ -)`);
  return value;
}

function parseDevEui(value: string): string {
  if (!DEV_EUI_PATTERN.test(value))
    throw new InvalidArgumentError(`"${value}" is not a DevEUI (16 hex digits)`);
  return normalizeDevEui(value);
}

function parseDoor(value: string): 'open' | 'closed' {
  if (value !== 'open' && value !== 'closed') throw new InvalidArgumentError('door is "open" or "closed"');
  return value;
}
