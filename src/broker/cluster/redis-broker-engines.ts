import { Logger } from '@nestjs/common';
import aedesPersistenceRedis from 'aedes-persistence-redis';
import { Redis } from 'ioredis';
import mqemitterRedis from 'mqemitter-redis';
import type { EventEmitter } from 'node:events';
import type { Clock } from '#src/common/clock.js';
import { RateLimitedLogger } from '#src/common/rate-limited.logger.js';
import { redactDatabaseUrl } from '#src/storage/database-url.js';

/** What Aedes takes as `persistence` and `mq`, and how to let go of them once Aedes is closed. */
export interface BrokerEngines {
  persistence: unknown;
  mq: unknown;
  /** After `aedes.close()` (which closes the emitter): destroys the persistence. Once. */
  close(): Promise<void>;
  /** For a broker that never started: drops the connections. */
  abandon(): void;
}

/**
 * Aedes's persistence and emitter on one Redis (BROKER_REDIS_URL, ARCHITECTURE.md §9), so that
 * several edges behind a load balancer are one broker to the devices: `aedes-persistence-redis`
 * keeps retained messages, subscriptions, wills and QoS 1 sessions (the offline queue), and
 * `mqemitter-redis` carries every publish to the edges whose clients subscribe to it. Each has
 * its own connections (the emitter's subscriber connection cannot send other commands).
 */
export async function openRedisBrokerEngines(
  url: string,
  clock: Clock,
  readyTimeoutMs = REDIS_READY_TIMEOUT_MS,
): Promise<BrokerEngines> {
  const logger = new Logger('BrokerRedis');
  // ioredis retries forever and reports each failed attempt: a Redis outage must not flood the log.
  const errors = new RateLimitedLogger(logger, clock, 'Redis errors');
  const where = redactDatabaseUrl(url);
  const onError = (err: Error): void => errors.warn({ redis: where, reason: err.message }, 'Redis error');
  const connections = [0, 1, 2].map(() => {
    const connection = new Redis(url, { connectionName: 'convoi-broker' });
    connection.on('error', onError);
    return connection;
  });
  const [store, subscriber, publisher] = connections;
  // Aedes's start would wait on an unreachable Redis for ever: an edge that cannot share its
  // sessions must fail to start, not listen half-working.
  if (!(await allReady(connections, readyTimeoutMs))) {
    for (const connection of connections) connection.disconnect();
    throw new Error(`Redis at ${where} (BROKER_REDIS_URL) not ready within ${readyTimeoutMs} ms`);
  }
  const persistence = aedesPersistenceRedis({ conn: store });
  const mq = mqemitterRedis({ subConn: subscriber, pubConn: publisher });
  // mqemitter-redis re-emits its connections' errors (logged above) on `state`, which its typings
  // leave out; an 'error' event nobody listens to would throw and end the broker thread.
  (mq as unknown as { state: EventEmitter }).state.on('error', () => undefined);
  logger.log({ redis: where }, `Broker sessions, retained messages and delivery on Redis at ${where}`);
  // Aedes closes its emitter itself (aedes.close), but never destroys its persistence, and a
  // second destroy() throws.
  let destroyed: Promise<void> | undefined;
  return {
    persistence,
    mq,
    close: () => (destroyed ??= persistence.destroy()),
    abandon: () => {
      for (const connection of connections) connection.disconnect();
    },
  };
}

/** How long an edge waits at start for its three Redis connections. */
const REDIS_READY_TIMEOUT_MS = 10_000;

function allReady(connections: Redis[], timeoutMs: number): Promise<boolean> {
  const ready = connections.map((c) =>
    c.status === 'ready'
      ? Promise.resolve()
      : new Promise<void>((resolve) => c.once('ready', () => resolve())),
  );
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  return Promise.race([Promise.all(ready).then(() => true), late]).finally(() => clearTimeout(timer));
}
