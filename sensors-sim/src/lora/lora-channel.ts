import type { SensorSample } from '../physics/sensor.model.js';
import { Prng } from '../random/prng.js';
import type { LoraTroubles } from '../scenario/scenario.types.js';
import type { SimDevice } from '../world/fleet.js';
import { hearing, type Reception } from './radio.model.js';

/** One delivery of an uplink by the network server to the MQTT integration. */
export interface Uplink {
  fCnt: number;
  /** When the network server publishes it, epoch ms (late frames: long after the sample). */
  deliverAtMs: number;
  /** Network server reception time, epoch ms. */
  receivedAtMs: number;
  receptions: Reception[];
  spreadingFactor: number;
  /** Same for every copy of one uplink (ChirpStack deduplicationId, TTS correlation id). */
  uplinkId: string;
}

/** A network server publishes within this delay of the radio reception (backhaul, dedup window). */
const NS_DELAY_MS: readonly [number, number] = [150, 600];

/**
 * The radio path of one device: frame counter, losses, duplicates, late frames and reboots.
 * Pure given the seed: the same samples give the same uplinks.
 */
export class LoraChannel {
  private fCnt = 0;
  private rebooted = false;
  private readonly prng: Prng;

  constructor(
    device: SimDevice,
    seed: string,
    private readonly worldStartMs: number,
  ) {
    this.prng = Prng.derive(seed, `lora/${device.deviceId}`);
    this.troubles = device.incidents.lora;
  }

  private readonly troubles: LoraTroubles | undefined;

  transmit(sample: SensorSample): Uplink[] {
    const t = this.troubles;
    if (t?.rebootAtMs !== undefined && !this.rebooted && sample.atMs >= this.worldStartMs + t.rebootAtMs) {
      // LoRaWAN 1.0.x: a rejoin after a reboot restarts the uplink counter at 0.
      this.rebooted = true;
      this.fCnt = 0;
    }
    const fCnt = this.fCnt;
    this.fCnt = (this.fCnt + 1) >>> 0;
    const { receptions, spreadingFactor } = hearing(this.prng, sample.position);
    const uplinkId = uuid(this.prng);
    if (t && this.prng.chance(t.lossRate)) return [];

    const receivedAtMs = sample.atMs + Math.round(this.prng.range(NS_DELAY_MS[0], NS_DELAY_MS[1]));
    const held =
      t && this.prng.chance(t.lateRate) ? Math.round(this.prng.range(t.lateMs[0], t.lateMs[1])) : 0;
    const base: Uplink = {
      fCnt,
      deliverAtMs: receivedAtMs + held,
      receivedAtMs,
      receptions,
      spreadingFactor,
      uplinkId,
    };
    if (!t || !this.prng.chance(t.duplicateRate)) return [base];
    // Duplicates: each gateway's copy reaches the integration on its own (several network server
    // instances, or a gateway forwarding to two servers), within a couple of seconds.
    const copies = Math.max(2, Math.min(3, receptions.length));
    const out: Uplink[] = [];
    for (let i = 0; i < copies; i++) {
      const reception = receptions[i % receptions.length];
      const delay = i === 0 ? 0 : Math.round(this.prng.range(100, 2000));
      out.push({ ...base, receptions: [reception], deliverAtMs: base.deliverAtMs + delay });
    }
    return out;
  }
}

/** A random (version 4 shaped) UUID from the seeded generator. */
export function uuid(prng: Prng): string {
  const h = prng.hex(16).split('');
  h[12] = '4';
  h[16] = '89ab'[parseInt(h[16], 16) & 3];
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}
