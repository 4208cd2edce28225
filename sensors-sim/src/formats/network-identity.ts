import { Prng } from '../random/prng.js';
import { uuid } from '../lora/lora-channel.js';

/** Who the simulated network servers say they are: stable for a seed. */
export interface NetworkIdentity {
  chirpstack: { tenantId: string; applicationId: string; deviceProfileId: string };
  tts: { applicationId: string; tenantId: string; netId: string };
}

export function networkIdentity(seed: string): NetworkIdentity {
  const prng = Prng.derive(seed, 'network-identity');
  return {
    chirpstack: { tenantId: uuid(prng), applicationId: uuid(prng), deviceProfileId: uuid(prng) },
    tts: { applicationId: 'convoi-sim', tenantId: 'ttn', netId: '000013' },
  };
}

/** EU868 data rate for a spreading factor at 125 kHz (DR0 = SF12 … DR5 = SF7). */
export function euDataRate(spreadingFactor: number): number {
  return 12 - spreadingFactor;
}

/** EU868 default channels, Hz. */
export const EU868_CHANNELS_HZ = [868_100_000, 868_300_000, 868_500_000, 867_100_000, 867_300_000] as const;

/** Time on air of a 40-byte LPP frame by spreading factor, seconds (Semtech calculator, CR 4/5). */
export const AIRTIME_S: Readonly<Record<number, number>> = {
  7: 0.092,
  8: 0.164,
  9: 0.329,
  10: 0.616,
  11: 1.315,
  12: 2.302,
};
