import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { Clock } from '#src/common/clock.js';
import type { BrokerLimits } from './broker-limits.js';
import type { BrokerRejectionReason } from './broker-rejections.metric.js';
import { inspectConnect } from './connect-packet.inspector.js';
import { inspectControlPacket, PacketType } from './control-packet.inspector.js';
import { MqttFrameReader, type MqttFrame } from './mqtt-frame.reader.js';
import type { ProxiedPeer } from './proxy-header.parser.js';
import { TokenBucket } from './token-bucket.js';

/** A socket-like stream Aedes can be handed: raw sockets, TLS sockets. */
export type GuardableSocket = Pick<
  Socket,
  | 'on'
  | 'once'
  | 'write'
  | 'end'
  | 'destroy'
  | 'pause'
  | 'resume'
  | 'destroyed'
  | 'writableLength'
  | 'remoteAddress'
  | 'remotePort'
>;

/** Grace for a refused client to receive its CONNACK before the socket is cut, ms. */
const CONNACK_FLUSH_MS = 1000;

/**
 * The stream Aedes reads from instead of the socket: it forwards only whole, checked MQTT
 * frames and cuts the socket at the first violation. Frames are cut with a size limit checked
 * at the fixed header, so nothing larger than one allowed packet is ever buffered.
 *
 * Why a stream in between and not Aedes hooks: the hooks run after Aedes has buffered and
 * decoded a packet, and its decoder turns invalid UTF-8 into U+FFFD; checks on raw bytes have
 * to sit before it.
 */
export class GuardedConnection extends Duplex {
  readonly remoteAddress: string;
  readonly remotePort: number | undefined;
  private readonly reader: MqttFrameReader;
  private readonly publishBucket: TokenBucket;
  private connected = false;
  private connectTimer: NodeJS.Timeout | undefined;
  private rejected = false;

  constructor(
    private readonly socket: GuardableSocket,
    private readonly limits: BrokerLimits,
    private readonly clock: Clock,
    private readonly onReject: (reason: BrokerRejectionReason, connection: GuardedConnection) => void,
    /** The client a trusted balancer's PROXY header named: the address the auth hooks count and log. */
    peer?: ProxiedPeer,
  ) {
    super({ allowHalfOpen: false });
    this.remoteAddress = peer?.address ?? socket.remoteAddress ?? 'unknown';
    this.remotePort = peer?.port ?? socket.remotePort;
    this.reader = new MqttFrameReader(limits.maxPacketBytes);
    this.publishBucket = new TokenBucket(limits.publishRatePerS, limits.publishBurst, clock.now());
    this.connectTimer = setTimeout(() => this.reject('connect_timeout'), limits.connectTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.push(null));
    socket.on('error', (err: Error) => this.destroy(err));
    socket.on('close', () => this.destroy());
  }

  /** Sets the publish rate of this connection once the client is known (0 = unlimited). */
  setPublishRate(ratePerS: number, burst: number): void {
    this.publishBucket.reset(ratePerS, burst, this.clock.now());
  }

  /** Refuses the connection for `reason`: counted, socket cut, Aedes sees the stream end. */
  reject(reason: BrokerRejectionReason): void {
    if (this.rejected) return;
    this.rejected = true;
    this.onReject(reason, this);
    this.socket.destroy();
    this.destroy();
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.send(chunk, callback);
  }

  /**
   * The pieces of one or more packets written while the stream was corked (mqtt-packet corks
   * for each packet it writes, Aedes for each batch), handed to the socket in one write: one
   * system call per PUBACK instead of one per piece (socket writes were 40 % of the broker
   * thread at 15,000 messages/s before).
   */
  override _writev(
    chunks: { chunk: Buffer; encoding: BufferEncoding }[],
    callback: (error?: Error | null) => void,
  ): void {
    this.send(chunks.length === 1 ? chunks[0].chunk : Buffer.concat(chunks.map((c) => c.chunk)), callback);
  }

  private send(data: Buffer, callback: (error?: Error | null) => void): void {
    if (this.socket.destroyed) {
      callback(new Error('socket closed'));
      return;
    }
    // Never wait for a full socket: Aedes acknowledges a publisher's message only once it is
    // written to every subscriber, so waiting here would stall the whole broker behind the
    // slowest reader. Its socket buffers instead, up to a bound past which it is cut.
    this.socket.write(data);
    if (this.socket.writableLength > this.limits.maxOutboundBytes) this.reject('slow_consumer');
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.socket.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.connectTimer);
    if (!this.socket.destroyed) {
      // A CONNACK refusal Aedes just wrote must still reach the client [MQTT-3.2.2-5].
      if (this.socket.writableLength > 0 && error === null) {
        this.socket.end();
        setTimeout(() => this.socket.destroy(), CONNACK_FLUSH_MS).unref();
      } else {
        this.socket.destroy();
      }
    }
    callback(error);
  }

  private onData(chunk: Buffer): void {
    if (this.rejected) return;
    const result = this.reader.push(chunk, this.checkHeader);
    if (!result.ok) {
      this.reject(result.reason);
      return;
    }
    for (const frame of result.frames) {
      const verdict = this.connected
        ? this.inspect(frame.type === PacketType.publish, frame)
        : this.inspectFirst(frame);
      if (verdict === 'answered') return;
      if (verdict !== 'ok') {
        this.reject(verdict);
        return;
      }
      if (!this.push(frame.raw)) this.socket.pause();
    }
  }

  /**
   * Refuses what the fixed header alone condemns, without waiting for the body: anything but
   * CONNECT first [MQTT-3.1.0-1], a second CONNECT [MQTT-3.1.0-2], server-only packet types.
   */
  private readonly checkHeader = (
    type: number,
    flags: number,
    frameBytes: number,
  ): BrokerRejectionReason | undefined => {
    if (!this.connected)
      return type === PacketType.connect ? undefined : firstPacketRefusal(type, flags, frameBytes);
    if (type === PacketType.connect) return 'second_connect';
    if (type === 0 || type === 15) return 'malformed';
    const serverOnly: readonly number[] = [
      PacketType.connack,
      PacketType.suback,
      PacketType.unsuback,
      PacketType.pingresp,
    ];
    return serverOnly.includes(type) ? 'server_only_packet' : undefined;
  };

  private inspectFirst(frame: MqttFrame): 'ok' | 'answered' | BrokerRejectionReason {
    if (frame.type !== PacketType.connect) return 'first_packet_not_connect'; // [MQTT-3.1.0-1]
    const verdict = inspectConnect(frame.body, this.limits);
    if (verdict.action === 'close') return verdict.reason;
    if (verdict.action === 'connack') {
      this.rejected = true;
      this.onReject(verdict.reason, this);
      // [MQTT-3.2.2-5]: a refusing CONNACK, then the server closes.
      this.socket.end(Buffer.from([0x20, 0x02, 0x00, verdict.code]));
      setTimeout(() => this.socket.destroy(), CONNACK_FLUSH_MS).unref();
      this.push(null);
      return 'answered';
    }
    if (verdict.keepaliveS === 0) {
      // Keep-alive 0 means "none" [MQTT-3.1.2-10], which would let an idle socket stay for ever
      // (CVE-2020-13849). Like managed brokers, treat it as the largest keep-alive allowed:
      // written into the CONNECT Aedes reads, so Aedes closes the connection after 1.5 times
      // that without a packet [MQTT-3.1.2-24].
      frame.body.writeUInt16BE(this.limits.keepaliveMaxS, verdict.keepaliveOffset);
    }
    clearTimeout(this.connectTimer);
    this.connected = true;
    return 'ok';
  }

  private inspect(isPublish: boolean, frame: MqttFrame): 'ok' | BrokerRejectionReason {
    const verdict = inspectControlPacket(frame, this.limits);
    if (verdict === 'ok' && isPublish && !this.publishBucket.take(this.clock.now())) return 'publish_rate';
    return verdict;
  }
}

/**
 * Why a first packet that is not CONNECT is refused. A PROXY header read as MQTT has a fixed header
 * of its own: the v2 signature's `\r\n` is type 0, flags 13, remaining length 10; v1's `PR` is
 * type 5, flags 0, remaining length 82. Either from an address not in BROKER_PROXY_PROTOCOL_FROM
 * (whose headers were read before the guard) gets its own reason, so a balancer left out of the
 * setting shows in the metric. Only reached on the way to a refusal: free for every other packet.
 */
function firstPacketRefusal(type: number, flags: number, frameBytes: number): BrokerRejectionReason {
  const proxyV2 = type === 0 && flags === 0x0d && frameBytes === 12;
  const proxyV1 = type === 5 && flags === 0 && frameBytes === 84;
  return proxyV2 || proxyV1 ? 'proxy_header_untrusted' : 'first_packet_not_connect';
}
