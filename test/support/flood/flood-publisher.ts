import mqtt, { type MqttClient } from 'mqtt';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';

export interface FloodPublisherOptions {
  url: string;
  /** MQTT client id of this connection (unique per publisher). */
  clientId: string;
  /** Device the readings claim to come from (a JSON device of the fleet). */
  deviceId: string;
  /** measuredAt of reading `seq` is `t0 + seq` ms, so every reading of a device has its own key. */
  t0: number;
  /** Sequence numbers `firstSeq … firstSeq + count - 1` are sent, each once, in order. */
  firstSeq: number;
  count: number;
  /** QoS 1 publishes awaiting their PUBACK at most: the client's share of flow control. */
  window: number;
  /** Bulk traffic instead of readings: this payload on this topic (not an ingest topic). */
  bulk?: { topic: string; payload: Buffer };
}

/** What {@link FloodPublisher.run} ended on. */
export type FloodEnd = 'done' | 'closed' | 'deadline';

/**
 * One device connection sending a bounded stream of QoS 1 native JSON readings as fast as its
 * in-flight window lets it, optionally paced to a rate. It records the sequence number of every
 * reading whose PUBACK arrived: those are the readings the platform has promised to keep.
 */
export class FloodPublisher {
  /** Sequence numbers whose PUBACK was received. */
  readonly acked = new Set<number>();
  private sent = 0;
  private inFlight = 0;
  private ratePerS = 0;
  private pacedFrom = 0;
  private pacedSent = 0;
  private closed = false;
  private wake?: () => void;

  private constructor(
    private readonly client: MqttClient,
    readonly options: FloodPublisherOptions,
  ) {
    client.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    // A destroyed socket surfaces as an error on the client; it ends the run, not the test.
    client.on('error', () => undefined);
  }

  static async connect(options: FloodPublisherOptions): Promise<FloodPublisher> {
    const client = await mqtt.connectAsync(options.url, {
      clientId: options.clientId,
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    return new FloodPublisher(client, options);
  }

  /** measuredAt (epoch ms) of the reading with this sequence number. */
  measuredAt(seq: number): number {
    return this.options.t0 + seq;
  }

  /** Readings sent so far (acknowledged or not). */
  get sentCount(): number {
    return this.sent;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Sends at most `ratePerS` readings a second from now on (0: as fast as the window allows).
   * Pacing only ever slows the sender; the in-flight window still applies.
   */
  pace(ratePerS: number): void {
    this.ratePerS = ratePerS;
    this.pacedFrom = performance.now();
    this.pacedSent = 0;
    this.wake?.();
  }

  /**
   * Sends until every reading is acknowledged, the connection closes, or `deadlineMs` passes,
   * whichever comes first. Never throws: what was acknowledged is in {@link acked}.
   */
  async run(deadlineMs: number): Promise<FloodEnd> {
    const deadline = Date.now() + deadlineMs;
    const { count, window } = this.options;
    for (;;) {
      if (this.acked.size === count) return 'done';
      if (this.closed) return 'closed';
      if (Date.now() > deadline) return 'deadline';
      while (this.sent < count && this.inFlight < window && this.mayPublish()) this.publishNext();
      // Woken by an acknowledgement, a close, or (pacing, or a lost ack) a short timer.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 10);
        this.wake = () => {
          clearTimeout(timer);
          this.wake = undefined;
          resolve();
        };
      });
    }
  }

  /** Cuts the TCP connection with no DISCONNECT, as a device losing power does. */
  destroySocket(): void {
    this.client.stream.destroy();
  }

  async end(): Promise<void> {
    await this.client.endAsync(true);
  }

  private mayPublish(): boolean {
    if (this.ratePerS <= 0) return true;
    const allowed = ((performance.now() - this.pacedFrom) / 1000) * this.ratePerS;
    return this.pacedSent < allowed;
  }

  private publishNext(): void {
    const seq = this.options.firstSeq + this.sent;
    this.sent++;
    this.pacedSent++;
    this.inFlight++;
    const { bulk, deviceId } = this.options;
    const topic = bulk?.topic ?? deviceTelemetryTopic(deviceId);
    const payload =
      bulk?.payload ?? JSON.stringify({ ts: this.measuredAt(seq), temperature: 2 + (seq % 40) / 10 });
    this.client.publish(topic, payload, { qos: 1 }, (err) => {
      this.inFlight--;
      if (!err) this.acked.add(seq);
      this.wake?.();
    });
  }
}
