import { connect as connectTcp } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';
import { clusterDeviceId } from './cluster-fleet.js';
import { waitFor } from './wait-for.js';

/** A reading a device sent: its key, when it was handed to MQTT.js, and when its PUBACK came. */
export interface SentReading {
  readonly deviceId: string;
  readonly measuredAt: number;
  readonly sentAt: number;
  ackedAt?: number;
}

/** The key the tests compare stored readings by. */
export const readingKey = (deviceId: string, measuredAt: number): string => `${deviceId}|${measuredAt}`;

/** A reading MQTT.js failed is sent again after this long, at most this many times. */
const RESEND_AFTER_MS = 200;
const MAX_ATTEMPTS = 100;

/** Each device's source address: one loopback address per device, from 127.0.0.10 on. */
const deviceAddress = (d: number): string => `127.0.0.${10 + d}`;

/**
 * Device `d` of a cluster fleet (`clusterDeviceId`) connecting through the balancer on `port` from
 * its own loopback address, with a persistent session; it reconnects by itself. Errors are the
 * reconnects it is there to go through: they are not thrown.
 */
export function connectDevice(port: number, d: number): MqttClient {
  // MQTT.js has no source-address option: its stream builder opens the socket.
  const build = (): NodeJS.ReadWriteStream =>
    connectTcp({ port, host: '127.0.0.1', localAddress: deviceAddress(d) });
  const client = new mqtt.MqttClient(build as never, {
    clientId: clusterDeviceId(d),
    clean: false,
    reconnectPeriod: 500,
    connectTimeout: 5000,
  });
  client.on('error', () => undefined);
  return client;
}

/**
 * The simulated fleet of a cluster test: `devices` MQTT.js clients (`clusterDeviceId`), each with a
 * persistent session (`clean: false`, as a device keeps its unacknowledged readings across a
 * reconnect) and a loopback address of its own, so that behind the balancer's PROXY header each
 * device is its own client to the edge's per-address limits. They connect through the balancer
 * on `port` and reconnect by themselves. Once started, each publishes a reading at QoS 1 every
 * `intervalMs` on its own clock, whether the last was acknowledged or not (a sensor records on a
 * timer and queues what it cannot send), at most `maxPerDevice` readings each per `start()`.
 */
export class DeviceFleet {
  readonly sent: SentReading[] = [];
  /** Connections per device (MQTT.js's `connect`, after it resent its store): more than one is a reconnect. */
  readonly connects: number[];
  /** Readings sent again after MQTT.js failed them (see `send`). */
  resends = 0;
  private closed = false;
  private readonly clients: MqttClient[] = [];
  private readonly lastMeasuredAt: number[];
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly port: number,
    private readonly devices: number,
    private readonly intervalMs: number,
    private readonly maxPerDevice: number,
  ) {
    this.connects = new Array<number>(devices).fill(0);
    this.lastMeasuredAt = new Array<number>(devices).fill(0);
  }

  /** Connects every device and waits for all of them. */
  async connect(timeoutMs = 20_000): Promise<void> {
    for (let d = 0; d < this.devices; d++) {
      const client = connectDevice(this.port, d);
      client.on('connect', () => this.connects[d]++);
      this.clients.push(client);
    }
    await waitFor('every device connected', () => this.clients.every((c) => c.connected), timeoutMs, 50);
  }

  /** Starts every device's timer (a phase of the test); stop() ends it. */
  start(): void {
    this.clients.forEach((client, d) => {
      let count = 0;
      const timer = setInterval(() => {
        if (++count > this.maxPerDevice) return clearInterval(timer);
        this.publish(client, d);
      }, this.intervalMs);
      this.timers.push(timer);
    });
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }

  /** Readings acknowledged at or after `fromMs`. */
  acknowledgedSince(fromMs: number): number {
    return this.sent.filter((r) => r.ackedAt !== undefined && r.ackedAt >= fromMs).length;
  }

  /** Readings sent at or after `fromMs` and before `toMs`. */
  sentBetween(fromMs: number, toMs: number): SentReading[] {
    return this.sent.filter((r) => r.sentAt >= fromMs && r.sentAt < toMs);
  }

  /** Waits until every reading sent has its PUBACK. */
  async allAcknowledged(timeoutMs: number): Promise<void> {
    try {
      await waitFor(
        'every reading acknowledged',
        () => this.sent.every((r) => r.ackedAt !== undefined),
        timeoutMs,
        100,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}; waiting: ${this.waiting()}`, { cause: error });
    }
  }

  /** The devices with readings awaiting their PUBACK: how many, whether connected, how many CONNACKs. */
  private waiting(): string {
    return this.clients
      .map((client, d) => {
        const id = clusterDeviceId(d);
        const n = this.sent.filter((r) => r.deviceId === id && r.ackedAt === undefined).length;
        return n === 0
          ? ''
          : `${id} ${n} (${client.connected ? 'connected' : 'not connected'}, ${this.connects[d]} connects)`;
      })
      .filter((line) => line !== '')
      .join('; ');
  }

  /** Disconnects every device at once, sending nothing more. */
  async close(): Promise<void> {
    this.closed = true;
    this.stop();
    await Promise.all(this.clients.map((c) => c.endAsync(true)));
  }

  private publish(client: MqttClient, d: number): void {
    const deviceId = clusterDeviceId(d);
    // One key per reading: a device's clock never gives two readings the same millisecond.
    const measuredAt = Math.max(Date.now(), this.lastMeasuredAt[d] + 1);
    this.lastMeasuredAt[d] = measuredAt;
    const reading: SentReading = { deviceId, measuredAt, sentAt: Date.now() };
    this.sent.push(reading);
    const payload = JSON.stringify({
      ts: new Date(measuredAt).toISOString(),
      temperature: 3 + (d % 10) / 10,
    });
    this.send(client, reading, payload, 1);
  }

  /**
   * Publishes until acknowledged. MQTT.js fails a publish it had queued while resending its
   * store after a reconnect when that connection closes too ('Connection closed', never sent):
   * the device then sends the reading again, as firmware that keeps a reading until its PUBACK
   * does. At most MAX_ATTEMPTS, and none once the fleet is closed.
   */
  private send(client: MqttClient, reading: SentReading, payload: string, attempt: number): void {
    client.publish(deviceTelemetryTopic(reading.deviceId), payload, { qos: 1 }, (err) => {
      if (!err) reading.ackedAt = Date.now();
      else if (!this.closed && attempt < MAX_ATTEMPTS) {
        this.resends++;
        setTimeout(() => this.send(client, reading, payload, attempt + 1), RESEND_AFTER_MS);
      }
    });
  }
}
