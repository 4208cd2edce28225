import { publishTimeOf } from '../support/bench-fleet.js';
import { LatencyHistogram } from '../support/latency-histogram.js';
import type { CounterCommand, CounterSnapshot } from './counter-protocol.js';

/**
 * Counts delivered messages and their publish → delivery latency (publish time read from the
 * payload; publishers and subscriber share the machine's clock), answering snapshots over IPC.
 */
export class DeliveryCounter {
  private received = 0;
  private readonly latency = new LatencyHistogram();

  onMessage(payload: Buffer): void {
    this.received += 1;
    const sentAt = publishTimeOf(payload);
    if (!Number.isNaN(sentAt)) this.latency.record(Date.now() - sentAt);
  }

  /** Answers the bench's commands on this process's IPC channel. */
  serve(onExit: () => void): void {
    process.on('message', (raw) => {
      const cmd = raw as CounterCommand;
      if (cmd.type === 'exit') {
        onExit();
        return;
      }
      const snapshot: CounterSnapshot = {
        type: 'snapshot',
        received: this.received,
        latency: this.latency.toData(),
        latencyMax: this.latency.max,
      };
      if (cmd.reset) {
        this.received = 0;
        this.latency.reset();
      }
      process.send?.(snapshot);
    });
    process.on('disconnect', onExit);
  }
}
