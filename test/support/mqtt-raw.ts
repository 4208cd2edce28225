// Byte-exact MQTT over a real TCP socket: write crafted packets, observe CONNACK, SUBACK and close.
import { connect, type Socket } from 'node:net';

/** Parses `'10 13 0004 4D515454'` (spaces optional) into bytes. */
export function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

/** MQTT remaining-length varint (§2.2.3). */
export function varint(length: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    bytes.push(byte);
  } while (length > 0);
  return Buffer.from(bytes);
}

/** A 2-byte length-prefixed field from raw bytes or a UTF-8 string. */
export function field(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const length = Buffer.alloc(2);
  length.writeUInt16BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** A whole packet from its first byte and body. */
export function frame(firstByte: number, ...body: Buffer[]): Buffer {
  const payload = Buffer.concat(body);
  return Buffer.concat([Buffer.from([firstByte]), varint(payload.length), payload]);
}

export interface ConnectOptions {
  clientId?: string | Buffer;
  username?: string | Buffer;
  password?: string | Buffer;
  keepaliveS?: number;
  clean?: boolean;
  will?: { topic: string | Buffer; payload?: string; qos?: number; retain?: boolean };
  protocolName?: string;
  protocolLevel?: number;
  /** Overrides the computed connect flags byte (to craft flag violations). */
  flags?: number;
}

export function connectPacket(options: ConnectOptions = {}): Buffer {
  const { clientId = 'client-1', username, password, keepaliveS = 60, clean = true, will } = options;
  let flags = clean ? 0x02 : 0;
  if (will) flags |= 0x04 | ((will.qos ?? 0) << 3) | (will.retain ? 0x20 : 0);
  if (username !== undefined) flags |= 0x80;
  if (password !== undefined) flags |= 0x40;
  const keepalive = Buffer.alloc(2);
  keepalive.writeUInt16BE(keepaliveS);
  const parts = [
    field(options.protocolName ?? 'MQTT'),
    Buffer.from([options.protocolLevel ?? 4, options.flags ?? flags]),
    keepalive,
    field(clientId),
  ];
  if (will) parts.push(field(will.topic), field(will.payload ?? 'offline'));
  if (username !== undefined) parts.push(field(username));
  if (password !== undefined) parts.push(field(password));
  return frame(0x10, ...parts);
}

export function publishPacket(
  topic: string | Buffer,
  payload: string | Buffer,
  options: { qos?: number; packetId?: number; dup?: boolean; retain?: boolean } = {},
): Buffer {
  const qos = options.qos ?? 0;
  const first = 0x30 | (options.dup ? 0x08 : 0) | (qos << 1) | (options.retain ? 1 : 0);
  const id = Buffer.alloc(qos > 0 ? 2 : 0);
  if (qos > 0) id.writeUInt16BE(options.packetId ?? 1);
  return frame(first, field(topic), id, typeof payload === 'string' ? Buffer.from(payload) : payload);
}

export function subscribePacket(packetId: number, filters: Array<[string | Buffer, number]>): Buffer {
  const id = Buffer.alloc(2);
  id.writeUInt16BE(packetId);
  return frame(0x82, id, ...filters.flatMap(([filter, qos]) => [field(filter), Buffer.from([qos])]));
}

/**
 * A raw MQTT connection that records every byte the broker sends and when it closes.
 * Wait helpers poll conditions with a deadline, never sleep for a fixed time.
 */
export class RawMqttConnection {
  received = Buffer.alloc(0);
  closed = false;
  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => (this.received = Buffer.concat([this.received, chunk])));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }

  /**
   * Connects (from `localAddress`, e.g. a loopback alias `127.0.0.2`, when given); rejects after
   * `timeoutMs` so a stalled accept fails the test instead of hanging it.
   */
  static open(
    port: number,
    host = '127.0.0.1',
    timeoutMs = 5000,
    localAddress?: string,
  ): Promise<RawMqttConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host, localAddress }, () => {
        clearTimeout(timer);
        resolve(new RawMqttConnection(socket));
      });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out`));
      }, timeoutMs);
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  /** Writes bytes; false when the socket is gone (a refused client may be cut mid-write) or stuck. */
  write(bytes: Buffer, timeoutMs = 5000): Promise<boolean> {
    if (this.socket.destroyed || this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.socket.write(bytes, (err) => {
        clearTimeout(timer);
        resolve(err == null);
      });
    });
  }

  /** Resolves true when the broker closed the connection within `timeoutMs`. */
  waitForClose(timeoutMs = 3000): Promise<boolean> {
    return waitFor(() => this.closed, timeoutMs);
  }

  /** Resolves with the first packet of `type` (high nibble) the broker sent, or undefined. */
  async waitForPacket(type: number, timeoutMs = 3000): Promise<Buffer | undefined> {
    await waitFor(() => findPacket(this.received, type) !== undefined || this.closed, timeoutMs);
    await waitFor(() => findPacket(this.received, type) !== undefined, 50);
    return findPacket(this.received, type);
  }

  /** CONNACK return code, or undefined when none came. */
  async connackCode(timeoutMs = 3000): Promise<number | undefined> {
    const connack = await this.waitForPacket(2, timeoutMs);
    return connack?.[3];
  }

  /** Opens a connection and completes a CONNECT; throws unless CONNACK 0. */
  static async connected(port: number, options: ConnectOptions = {}): Promise<RawMqttConnection> {
    const connection = await RawMqttConnection.open(port);
    await connection.write(connectPacket(options));
    const code = await connection.connackCode();
    if (code !== 0) {
      connection.destroy();
      throw new Error(`CONNACK ${code}`);
    }
    return connection;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Every complete packet in a byte stream, split by their fixed headers. */
export function splitPackets(bytes: Buffer): Buffer[] {
  const packets: Buffer[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    let length = 0;
    let multiplier = 1;
    let i = offset + 1;
    for (; i < bytes.length; i++) {
      length += (bytes[i] & 0x7f) * multiplier;
      multiplier *= 128;
      if ((bytes[i] & 0x80) === 0) break;
    }
    const end = i + 1 + length;
    if (i >= bytes.length || end > bytes.length) break;
    packets.push(bytes.subarray(offset, end));
    offset = end;
  }
  return packets;
}

function findPacket(bytes: Buffer, type: number): Buffer | undefined {
  return splitPackets(bytes).find((p) => p[0] >> 4 === type);
}

/** Polls `condition` every 10 ms until true or `timeoutMs` passed. */
export async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}
