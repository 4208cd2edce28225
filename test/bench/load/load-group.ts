import { BenchChild } from '../support/child-process.js';
import { LatencyHistogram } from '../support/latency-histogram.js';
import type { BenchFormat } from '../support/bench-fleet.js';
import type { LoadCommand, LoadReport } from './load-protocol.js';

/** Publisher processes: the 100 publishers are spread over them (2 cores: 2 processes). */
export const GENERATOR_PROCESSES = 2;
export const PUBLISHERS = 100;
export const IDLE_CONNECTIONS = 1000;
/** Unacknowledged QoS 1 messages per publisher before it holds off (MQTT.js has no limit). */
export const MAX_INFLIGHT_PER_CLIENT = 200;

export interface RunResult {
  targetPerS: number;
  sent: number;
  acked: number;
  /** Due messages not sent because the publisher had too many unacknowledged (flow control). */
  skipped: number;
  errors: number;
  seconds: number;
  offeredPerS: number;
  ackLatency: LatencyHistogram;
}

/**
 * The devices: {@link PUBLISHERS} publishing clients in {@link GENERATOR_PROCESSES} processes,
 * and {@link IDLE_CONNECTIONS} idle connections in another.
 */
export class LoadGroup {
  private readonly generators: BenchChild<LoadCommand, LoadReport>[] = [];
  private idle?: BenchChild<{ type: 'exit' }, { type: 'connected'; clients: number; failed: number }>;
  idleConnected = 0;

  get pids(): number[] {
    return [...this.generators.map((g) => g.pid), ...(this.idle ? [this.idle.pid] : [])];
  }

  async connect(url: string, options: { idle?: number; publishers?: number } = {}): Promise<void> {
    const publishers = options.publishers ?? PUBLISHERS;
    const idle = options.idle ?? IDLE_CONNECTIONS;
    if (idle > 0) {
      this.idle = new BenchChild('load/idle-connections.process.js', [url, String(idle)]);
      this.idleConnected = (await this.idle.next('connected')).clients;
    }
    for (let g = 0; g < GENERATOR_PROCESSES; g++) {
      const child = new BenchChild<LoadCommand, LoadReport>('load/load-generator.process.js');
      this.generators.push(child);
      const answer = await child.request(
        { type: 'connect', url, clients: publishers / GENERATOR_PROCESSES, name: `bench-pub-${g}` },
        'connected',
      );
      if (answer.failed > 0) throw new Error(`${answer.failed} publishers could not connect to ${url}`);
    }
  }

  /** Publishes at `ratePerS` for `seconds` (or `maxMessages`), split over the generators. */
  async run(
    format: BenchFormat,
    devices: readonly number[],
    ratePerS: number,
    seconds: number,
    maxMessages?: number,
  ): Promise<RunResult> {
    const n = this.generators.length;
    const started = performance.now();
    const reports = await Promise.all(
      this.generators.map((g, k) =>
        g.request(
          {
            type: 'run',
            format,
            devices: devices.filter((d) => generatorOf(d, n) === k),
            ratePerS: ratePerS / n,
            durationMs: seconds * 1000,
            maxMessages: maxMessages === undefined ? undefined : Math.ceil(maxMessages / n),
            maxInflightPerClient: MAX_INFLIGHT_PER_CLIENT,
            phaseMs: (k * 1000) / ratePerS,
          },
          'ran',
          seconds * 1000 + 60_000,
        ),
      ),
    );
    const ackLatency = new LatencyHistogram();
    for (const r of reports) ackLatency.merge(r.ackLatency, r.ackLatencyMax);
    const sum = (f: (r: (typeof reports)[number]) => number) => reports.reduce((s, r) => s + f(r), 0);
    const sendSeconds = Math.max(...reports.map((r) => r.elapsedMs)) / 1000;
    return {
      targetPerS: ratePerS,
      sent: sum((r) => r.sent),
      acked: sum((r) => r.acked),
      skipped: sum((r) => r.skipped),
      errors: sum((r) => r.errors),
      seconds: (performance.now() - started) / 1000,
      offeredPerS: Math.round(sum((r) => r.sent) / Math.max(0.001, sendSeconds)),
      ackLatency,
    };
  }

  /** A short unmeasured run: JIT, connection buffers and caches warm before a measured window. */
  async warmUp(format: BenchFormat, devices: readonly number[]): Promise<void> {
    await this.run(format, devices, 2000, 2);
  }

  /** Drops the publishers' connections (abrupt: no DISCONNECT, as a device losing power). */
  async disconnectPublishers(abrupt = false): Promise<void> {
    await Promise.all(this.generators.map((g) => g.request({ type: 'disconnect', abrupt }, 'disconnected')));
  }

  async close(): Promise<void> {
    await Promise.all([...this.generators.map((g) => g.stop()), this.idle?.stop()]);
    this.generators.length = 0;
    this.idle = undefined;
  }
}

/**
 * The generator that speaks for device `d`, the same in every run (warm-up and measured windows):
 * a generator numbers its devices' messages (`seq`, fCnt), and a device moved to another one
 * would restart at 1 and have its messages dropped as repeats. Hashed on other bits than the
 * generators' own client choice, so every client of every generator gets devices.
 */
function generatorOf(d: number, generators: number): number {
  return (Math.imul(d ^ 0x5bd1e995, 0x85ebca6b) >>> 16) % generators;
}
