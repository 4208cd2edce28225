import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { Principal } from '../auth/principal.js';
import type { PackedMessages } from '../inbox/packed-messages.js';

/** What the main thread tells the broker thread. */
export type ToBrokerThread =
  | { kind: 'verified'; id: number; principal?: Principal; error?: string }
  | { kind: 'credential-changed'; username: string; change: 'revoked' | 'rotated' }
  | { kind: 'complete'; lastId: number }
  | { kind: 'forget'; position: number }
  | { kind: 'publish'; topic: string; payload: Uint8Array; qos: 0 | 1; retain: boolean }
  | { kind: 'metrics'; id: number }
  | { kind: 'close' };

/** What the broker thread tells the main thread. */
export type FromBrokerThread =
  | { kind: 'listening'; port: number; tlsPort?: number }
  | { kind: 'start-failed'; error: string }
  | { kind: 'committed'; batch: PackedMessages }
  | { kind: 'verify'; id: number; username: string; password: Uint8Array }
  | { kind: 'metrics'; id: number; metrics: MetricObjectWithValues<MetricValue<string>>[] };
