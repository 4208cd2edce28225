import type { HistogramData } from '../support/latency-histogram.js';

/** A counting subscriber's figures since its last reset. */
export interface CounterSnapshot {
  type: 'snapshot';
  received: number;
  latency: HistogramData;
  latencyMax: number;
}

/** Parent → counter: send figures (and optionally start a new window), or exit. */
export type CounterCommand = { type: 'snapshot'; reset: boolean } | { type: 'exit' };
