import { Logger } from '@nestjs/common';
import type { Socket } from 'node:net';
import type { Counter } from 'prom-client';
import type { Clock } from '#src/common/clock.js';
import type { Metrics } from '#src/common/metrics.js';
import { RateLimitedLogger } from '#src/common/rate-limited.logger.js';
import type { AddressSet } from './address-set.js';
import { brokerRejections, type BrokerRejectionReason } from './broker-rejections.metric.js';
import { parseProxyHeader, type ProxiedPeer, type ProxyHeaderProblem } from './proxy-header.parser.js';

/** Takes an accepted socket, with the client its PROXY header named when it came through a balancer. */
export type ProxiedConnectionListener = (socket: Socket, peer?: ProxiedPeer) => void;

/**
 * The PROXY protocol at the MQTT edge (BROKER_PROXY_PROTOCOL_FROM): a connection from a trusted
 * load balancer must open with a PROXY header (v2 or v1), read here before any MQTT or TLS byte,
 * and the client it names is the one the edge then admits, bans and logs. A header-less,
 * malformed, truncated or late one is refused, counted in `convoi_broker_rejected_total`; a
 * LOCAL header, or one naming a trusted balancer (the balancer's own health checks), carries no
 * client and is closed unaccounted.
 * Connections from anywhere else go on untouched (a PROXY header from them is refused by the
 * guard, {@link GuardedConnection}). After the header, the socket itself is handed on: nothing
 * is added to the path of the packets that follow.
 */
export class ProxyProtocolAcceptor {
  private readonly logger: RateLimitedLogger;
  private readonly rejections: Counter<'reason'>;
  private readonly checks: Counter;

  constructor(
    private readonly trusted: AddressSet,
    /** Time a balancer has to deliver the whole header, ms. */
    private readonly headerTimeoutMs: number,
    metrics: Metrics,
    clock: Clock,
  ) {
    this.logger = new RateLimitedLogger(new Logger('BrokerEdge'), clock, 'refused PROXY headers');
    this.rejections = brokerRejections(metrics);
    this.checks = metrics.counter(
      'convoi_broker_proxy_checks_total',
      'Connections of a trusted load balancer with no client (PROXY LOCAL or UNKNOWN: health checks)',
    );
  }

  /** The connection listener of a listener that admits through `next`. */
  listener(next: ProxiedConnectionListener): (socket: Socket) => void {
    return (socket) => {
      // A socket its peer reset before it was accepted here has no address any more: HAProxy ends
      // its health checks with a reset, and on a busy node most arrive that way. Handed on, its
      // LOCAL header reached the guard as an untrusted balancer's (a refusal counted and logged
      // for each check); nothing can be admitted from it, so it is closed unaccounted.
      if (socket.remoteAddress === undefined) return void socket.destroy();
      if (this.trusted.has(socket.remoteAddress)) this.readHeader(socket, next);
      else next(socket);
    };
  }

  private readHeader(socket: Socket, next: ProxiedConnectionListener): void {
    socket.on('error', () => undefined);
    // At most one header's bytes (the parser refuses past its bound), and one `received` per socket.
    let received: Buffer = Buffer.alloc(0);
    const refuse = (reason: BrokerRejectionReason, problem: ProxyHeaderProblem | 'truncated' | 'timeout') => {
      done();
      this.rejections.inc({ reason });
      this.logger.warn({ remoteAddress: socket.remoteAddress, reason, problem }, 'PROXY header refused');
      socket.destroy();
    };
    const onData = (chunk: Buffer): void => {
      received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      const result = parseProxyHeader(received);
      if (result.kind === 'incomplete') return;
      if (result.kind === 'invalid') return refuse('proxy_header_invalid', result.problem);
      done();
      // A health check: no client behind it, nothing to count, no MQTT to wait for. HAProxy's v1
      // checks send no UNKNOWN but name the balancer itself (`PROXY TCP4 <own address> …`): a
      // balancer is never one of the devices behind it, so that is its own connection too.
      if (result.kind === 'local' || this.trusted.has(result.peer.address)) {
        this.checks.inc();
        return void socket.destroy();
      }
      // What followed the header in the same segment is the client's first bytes: put back, and
      // paused until the next reader asks (a TLS socket wrapping this one reads it first too).
      socket.pause();
      if (received.length > result.headerBytes) socket.unshift(received.subarray(result.headerBytes));
      next(socket, result.peer);
    };
    // Closed before a byte: a plain TCP health check (without `check-send-proxy`), not a refusal.
    const onClose = (): void =>
      received.length === 0 ? done() : refuse('proxy_header_invalid', 'truncated');
    const timer = setTimeout(() => refuse('proxy_header_timeout', 'timeout'), this.headerTimeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
    };
    socket.on('data', onData);
    socket.once('close', onClose);
  }
}
