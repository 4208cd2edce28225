import { encodeChirpstackUplink } from '../formats/chirpstack.format.js';
import {
  encodeNativeBatch,
  encodeNativeReading,
  type EncodedMessage,
} from '../formats/native-json.format.js';
import { networkIdentity } from '../formats/network-identity.js';
import { encodeTtsUplink } from '../formats/tts.format.js';
import { lppFrame } from '../formats/lpp-frame.js';
import { LoraChannel } from '../lora/lora-channel.js';
import { SensorModel, type SensorSample } from '../physics/sensor.model.js';
import { Prng } from '../random/prng.js';
import type { WireFormat } from '../scenario/scenario.types.js';
import type { SimDevice, World } from '../world/fleet.js';
import { MinHeap } from './min-heap.js';

/** One MQTT message the simulator will publish, at a simulated time. */
export interface SimMessage {
  /** When to publish, simulated epoch ms. */
  atSimMs: number;
  topic: string;
  payload: Buffer;
  deviceId: string;
}

interface DeviceRun {
  device: SimDevice;
  model: SensorModel;
  channel: LoraChannel;
  devAddr: string;
  jitter: Prng;
  seq: number;
  buffered: { sample: SensorSample; seq: number }[];
}

type Event = { kind: 'sample'; run: DeviceRun } | { kind: 'deliver'; message: SimMessage };

/**
 * Every message of a world in simulated-time order: a pure function of the world (seed,
 * scenario, start), so the same inputs give the same bytes. Publishing is someone else's job.
 * Frames still held by a gateway when the world ends are never delivered.
 */
export function* generateMessages(world: World, format: WireFormat): Generator<SimMessage> {
  const ids = networkIdentity(world.seed);
  const heap = new MinHeap<Event>();
  for (const device of world.devices) {
    const jitter = Prng.derive(world.seed, `schedule/${device.deviceId}`);
    const run: DeviceRun = {
      device,
      model: new SensorModel(device, world.seed, world.startMs),
      channel: new LoraChannel(device, world.seed, world.startMs),
      devAddr: Prng.derive(world.seed, `devaddr/${device.deviceId}`).hex(4),
      jitter,
      seq: 0,
      buffered: [],
    };
    // Devices are spread over one interval so a fleet does not speak in chorus.
    heap.push(world.startMs + Math.floor(jitter.range(0, device.uplinkIntervalMs)), { kind: 'sample', run });
  }
  for (let next = heap.pop(); next && next.atMs < world.endMs; next = heap.pop()) {
    const { atMs, value } = next;
    if (value.kind === 'deliver') {
      yield value.message;
      continue;
    }
    const run = value.run;
    heap.push(atMs + nextInterval(run), value);
    for (const message of sampleMessages(run, atMs, format, ids, world.startMs)) {
      heap.push(message.atSimMs, { kind: 'deliver', message });
    }
  }
}

function nextInterval(run: DeviceRun): number {
  const interval = run.device.uplinkIntervalMs;
  // LoRaWAN devices dither their schedule to avoid repeated collisions; fast fleets keep a fixed rate.
  return interval >= 30_000 ? interval + Math.round(run.jitter.range(-2000, 2000)) : interval;
}

function sampleMessages(
  run: DeviceRun,
  atMs: number,
  format: WireFormat,
  ids: ReturnType<typeof networkIdentity>,
  worldStartMs: number,
): SimMessage[] {
  const { device } = run;
  const sample = run.model.sample(atMs);
  const offline = device.incidents.offline;
  const silent =
    offline !== undefined &&
    atMs >= worldStartMs + offline.fromMs &&
    atMs < worldStartMs + offline.fromMs + offline.durationMs;
  const deviceId = device.deviceId;
  if (format === 'json') {
    const seq = run.seq++;
    if (silent) {
      if (offline.buffered) run.buffered.push({ sample, seq });
      return [];
    }
    const encoded: EncodedMessage[] = [];
    if (run.buffered.length > 0) {
      encoded.push(encodeNativeBatch(deviceId, run.buffered));
      run.buffered = [];
    }
    encoded.push(encodeNativeReading(deviceId, sample, seq));
    return encoded.map((e) => ({ atSimMs: atMs, deviceId, ...e }));
  }
  // A LoRa device out of service does not transmit at all: no frame-counter gap.
  if (silent) return [];
  const uplinks = run.channel.transmit(sample);
  if (uplinks.length === 0) return [];
  const frame = lppFrame(sample);
  const lora = { deviceId, devEui: device.devEui, devAddr: run.devAddr, containerId: device.containerId };
  return uplinks.map((uplink) => {
    const encoded =
      format === 'chirpstack'
        ? encodeChirpstackUplink(lora, frame, uplink, ids.chirpstack)
        : encodeTtsUplink(lora, frame, uplink, ids.tts);
    return { atSimMs: uplink.deliverAtMs, deviceId, ...encoded };
  });
}
