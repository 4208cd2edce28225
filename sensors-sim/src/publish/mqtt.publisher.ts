import { deviceStatusTopic } from '#src/contracts/topics.js';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import type { SimMessage } from '../generator/message.generator.js';
import type { PublishStats } from './progress.display.js';

export interface PublisherOptions {
  brokerUrl: string;
  /** One connection for everything (a network server integration), or one per device. */
  connections: 'single' | 'per-device';
  username?: string;
  password?: string;
  /** Per-device MQTT password (username = device id), for `per-device` connections. */
  deviceSecret?: (deviceId: string) => string | undefined;
  /** Simulated ms per wall ms; Infinity publishes as fast as the broker takes it. */
  speedup: number;
  /** Simulated time that maps to the moment publishing starts, epoch ms. */
  simStartMs: number;
  qos: 0 | 1;
  /** Called about every 250 ms with the counters. */
  onProgress?: (stats: PublishStats) => void;
  signal?: AbortSignal;
}

/** Raised when the broker cannot be reached at all: the CLI turns it into exit code 1. */
export class BrokerUnreachableError extends Error {}

/** QoS 1 messages awaiting PUBACK before the publisher waits for the broker to catch up. */
const MAX_IN_FLIGHT = 1000;

/**
 * Publishes simulated messages at the pace of simulated time divided by the speed-up.
 * Connections are opened lazily, on a device's first message.
 */
export class MqttPublisher {
  private readonly clients = new Map<string, Promise<MqttClient | undefined>>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stats: PublishStats = {
    connected: 0,
    sent: 0,
    errors: 0,
    simElapsedMs: 0,
    wallElapsedMs: 0,
  };
  private wallStart = 0;

  constructor(private readonly o: PublisherOptions) {}

  async publishAll(messages: Iterable<SimMessage>): Promise<PublishStats> {
    this.wallStart = performance.now();
    let lastProgress = 0;
    try {
      for (const message of messages) {
        if (this.o.signal?.aborted) break;
        const simOffset = message.atSimMs - this.o.simStartMs;
        const dueWall = this.wallStart + simOffset / this.o.speedup;
        const wait = dueWall - performance.now();
        if (wait > 2) await sleep(wait, this.o.signal);
        if (this.o.signal?.aborted) break;
        const client = await this.client(message.deviceId);
        if (client) this.send(client, message);
        else this.stats.errors++;
        this.stats.simElapsedMs = Math.max(this.stats.simElapsedMs, simOffset);
        if (this.inFlight.size >= MAX_IN_FLIGHT) await Promise.race(this.inFlight);
        const now = performance.now();
        if (now - lastProgress > 250) {
          lastProgress = now;
          this.stats.wallElapsedMs = now - this.wallStart;
          this.o.onProgress?.({ ...this.stats });
        }
      }
      await Promise.all(this.inFlight);
    } finally {
      await this.close();
      this.stats.wallElapsedMs = performance.now() - this.wallStart;
    }
    return { ...this.stats };
  }

  private send(client: MqttClient, message: SimMessage): void {
    const done = client.publishAsync(message.topic, message.payload, { qos: this.o.qos }).then(
      () => {
        this.stats.sent++;
      },
      (err: unknown) => this.fail(err),
    );
    const tracked = done.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private client(deviceId: string): Promise<MqttClient | undefined> {
    const key = this.o.connections === 'single' ? '' : deviceId;
    let client = this.clients.get(key);
    if (!client) {
      client = this.connect(key === '' ? undefined : deviceId);
      this.clients.set(key, client);
    }
    return client;
  }

  private async connect(deviceId: string | undefined): Promise<MqttClient | undefined> {
    const options: IClientOptions = {
      clientId: deviceId ?? `convoi-sim-${process.pid}`,
      username: this.o.username ?? deviceId,
      password: this.o.password ?? (deviceId ? this.o.deviceSecret?.(deviceId) : undefined),
      connectTimeout: 5000,
      reconnectPeriod: 0,
      protocolVersion: 4,
    };
    if (deviceId) {
      // Devices announce themselves and leave a retained Last Will, as ARCHITECTURE.md §3 describes.
      options.will = {
        topic: deviceStatusTopic(deviceId),
        payload: Buffer.from('{"online":false}'),
        qos: 1,
        retain: true,
      };
    }
    let client: MqttClient;
    try {
      client = await connectAsync(this.o.brokerUrl, options, false);
    } catch (err) {
      // The first connection failing means no broker; a later one is one device refused.
      if (this.stats.connected === 0) {
        throw new BrokerUnreachableError(`cannot connect to ${this.o.brokerUrl}: ${describe(err)}`);
      }
      this.fail(err);
      return undefined;
    }
    // Once connected, ride out broker restarts instead of giving up.
    client.options.reconnectPeriod = 1000;
    client.on('error', (err) => this.fail(err));
    this.stats.connected++;
    if (deviceId) {
      await client
        .publishAsync(deviceStatusTopic(deviceId), '{"online":true}', { qos: 1, retain: true })
        .catch((err: unknown) => this.fail(err));
    }
    return client;
  }

  private fail(err: unknown): void {
    this.stats.errors++;
    this.stats.firstError ??= describe(err);
  }

  private async close(): Promise<void> {
    const settled = await Promise.allSettled(this.clients.values());
    await Promise.all(
      settled.map((s) =>
        s.status === 'fulfilled' && s.value ? s.value.endAsync().catch(() => undefined) : Promise.resolve(),
      ),
    );
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message || err.constructor.name : String(err);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
