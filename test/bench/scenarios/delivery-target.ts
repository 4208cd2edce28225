import { BenchChild } from '../support/child-process.js';
import { LatencyHistogram } from '../support/latency-histogram.js';
import type { PlatformProcess } from '../support/platform-process.js';
import type { StoredProbe } from '../support/stored-probe.js';
import type { CounterCommand, CounterSnapshot } from '../load/counter-protocol.js';

/** Where the load goes and how what arrived is counted: convoi's store, or a counting subscriber. */
export interface DeliveryTarget {
  readonly name: string;
  readonly mqttUrl: string;
  /** Processes whose CPU and memory are reported, by role. */
  readonly processes: Map<string, number>;
  /** Messages delivered (stored) so far. */
  delivered(): Promise<number>;
  /** Starts a latency window. */
  beginWindow(): Promise<void>;
  /** publish → delivered latency since {@link beginWindow}. */
  latency(): Promise<LatencyHistogram>;
  /** Milliseconds between the target's state checkpoints (0: it has none, a bare broker). */
  readonly checkpointEveryMs: number;
  /** State checkpoints completed since the target started, and their seconds in all. */
  checkpoints(): Promise<CheckpointCount>;
}

/** State checkpoints completed (a counter: windows take differences). */
export interface CheckpointCount {
  count: number;
  seconds: number;
}

/** convoi: delivered = readings written to the time-series store (its own metric). */
export class ConvoiTarget implements DeliveryTarget {
  readonly processes: Map<string, number>;

  constructor(
    readonly name: string,
    readonly platform: PlatformProcess,
    private readonly probe: StoredProbe,
    private readonly metric: string,
    readonly mqttUrl: string = platform.mqttUrl,
    extraProcesses: Record<string, number> = {},
    readonly checkpointEveryMs = 0,
  ) {
    this.processes = new Map([['convoi', platform.pid], ...Object.entries(extraProcesses)]);
  }

  async delivered(): Promise<number> {
    return (await this.platform.metrics()).get(this.metric) ?? 0;
  }

  async checkpoints(): Promise<CheckpointCount> {
    const metrics = await this.platform.metrics();
    return {
      count: metrics.get('convoi_state_checkpoint_seconds_count') ?? 0,
      seconds: metrics.get('convoi_state_checkpoint_seconds_sum') ?? 0,
    };
  }

  beginWindow(): Promise<void> {
    this.probe.begin();
    return Promise.resolve();
  }

  latency(): Promise<LatencyHistogram> {
    return Promise.resolve(this.probe.latency);
  }
}

/** A bare broker with a counting subscriber (in the broker's process, or an MQTT client). */
export class CounterTarget implements DeliveryTarget {
  /** Messages counted before the counter's last reset. */
  private base = 0;
  readonly checkpointEveryMs = 0;

  constructor(
    readonly name: string,
    readonly mqttUrl: string,
    private readonly counter: BenchChild<CounterCommand, CounterSnapshot | { type: 'ready'; port?: number }>,
    readonly processes: Map<string, number>,
  ) {}

  private snapshot(reset: boolean): Promise<CounterSnapshot> {
    return this.counter.request({ type: 'snapshot', reset }, 'snapshot');
  }

  async delivered(): Promise<number> {
    return this.base + (await this.snapshot(false)).received;
  }

  checkpoints(): Promise<CheckpointCount> {
    return Promise.resolve({ count: 0, seconds: 0 });
  }

  async beginWindow(): Promise<void> {
    this.base += (await this.snapshot(true)).received;
  }

  async latency(): Promise<LatencyHistogram> {
    const s = await this.snapshot(false);
    const histogram = new LatencyHistogram();
    histogram.merge(s.latency, s.latencyMax);
    return histogram;
  }
}
