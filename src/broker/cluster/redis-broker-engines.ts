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
  /** For a broker that never started: closes the emitter too. */
  abandon(): Promise<void>;
}

/**
 * Aedes's persistence and emitter on one Redis (BROKER_REDIS_URL, ARCHITECTURE.md §9), so that
 * several edges behind a load balancer are one broker to the devices: `aedes-persistence-redis`
 * keeps retained messages, subscriptions, wills and QoS 1 sessions (the offline queue), and
 * `mqemitter-redis` carries every publish to the edges whose clients subscribe to it. Each has
 * its own connections (the emitter's subscriber connection cannot send other commands).
 */
export function redisBrokerEngines(url: string, clock: Clock): BrokerEngines {
  const logger = new Logger('BrokerRedis');
  // ioredis retries forever and reports each failed attempt: a Redis outage must not flood the log.
  const errors = new RateLimitedLogger(logger, clock, 'Redis errors');
  const where = redactDatabaseUrl(url);
  const onError = (err: Error): void => errors.warn({ redis: where, reason: err.message }, 'Redis error');
  const connect = (): Redis => {
    const connection = new Redis(url, { connectionName: 'convoi-broker' });
    connection.on('error', onError);
    return connection;
  };
  const persistence = aedesPersistenceRedis({ conn: connect() });
  const mq = mqemitterRedis({ subConn: connect(), pubConn: connect() });
  // mqemitter-redis re-emits its connections' errors on `state`, which the typings leave out; an
  // 'error' event nobody listens to would throw and end the broker thread.
  (mq as unknown as { state: EventEmitter }).state.on('error', () => undefined);
  logger.log({ redis: where }, `Broker sessions, retained messages and delivery on Redis at ${where}`);
  // Aedes closes its emitter itself (aedes.close), but never destroys its persistence, and a
  // second destroy() throws.
  let destroyed: Promise<void> | undefined;
  const close = (): Promise<void> => (destroyed ??= persistence.destroy());
  return {
    persistence,
    mq,
    close,
    abandon: async () => {
      await new Promise<void>((resolve) => mq.close(() => resolve()));
      await close();
    },
  };
}
