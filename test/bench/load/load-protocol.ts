import type { HistogramData } from '../support/latency-histogram.js';
import type { BenchFormat } from '../support/bench-fleet.js';

/** Parent → load generator. */
export type LoadCommand =
  | {
      type: 'connect';
      url: string;
      clients: number;
      /** Label of this generator (client ids). */
      name: string;
      username?: string;
      password?: string;
    }
  | {
      type: 'run';
      format: BenchFormat;
      /** Device indexes this generator publishes for, round-robin. */
      devices: number[];
      ratePerS: number;
      durationMs: number;
      /** Stop after this many messages (e.g. exactly one per device). */
      maxMessages?: number;
      /** Unacknowledged QoS 1 messages a client may have; beyond it a due message is skipped. */
      maxInflightPerClient: number;
      /** Offset of this generator's start, so that several generators interleave. */
      phaseMs?: number;
    }
  | { type: 'disconnect'; abrupt?: boolean }
  | { type: 'exit' };

/** Load generator → parent. */
export type LoadReport =
  | { type: 'connected'; clients: number; failed: number }
  | {
      type: 'ran';
      sent: number;
      acked: number;
      skipped: number;
      errors: number;
      elapsedMs: number;
      /** publish → PUBACK (the platform's "durable" acknowledgement), ms. */
      ackLatency: HistogramData;
      ackLatencyMax: number;
    }
  | { type: 'disconnected' };
