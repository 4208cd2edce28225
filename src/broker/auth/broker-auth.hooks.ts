import { Logger } from '@nestjs/common';
import type { AedesOptions, AuthenticateError, Client } from 'aedes';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Clock } from '#src/common/clock.js';
import type { Metrics } from '#src/common/metrics.js';
import { RateLimitedLogger } from '#src/common/rate-limited.logger.js';
import type { BrokerLimits } from '../hardening/broker-limits.js';
import { brokerRejections, type BrokerRejectionReason } from '../hardening/broker-rejections.metric.js';
import { GuardedConnection } from '../hardening/guarded-connection.js';
import type { IpAbuseTracker } from '../hardening/ip-abuse.tracker.js';
import type { DeviceCredentialStore } from './device-credential.store.js';
import type { Principal } from './principal.js';
import { canPublish, canReceive, canRetain, canSubscribe } from './topic-acl.js';

/** CONNACK return codes of MQTT 3.1.1 §3.2.2.3 used here. */
const IDENTIFIER_REJECTED = 2;
const SERVER_UNAVAILABLE = 3;
const BAD_USERNAME_OR_PASSWORD = 4;

export interface BrokerAuthDeps {
  store: Pick<DeviceCredentialStore, 'verify' | 'onChange'>;
  metrics: Metrics;
  limits: Pick<BrokerLimits, 'publishRatePerS' | 'publishBurst' | 'trustedPublishRatePerS'>;
  /** Shared with the connection handler: failed logins count towards the IP ban. */
  abuse?: IpAbuseTracker;
  /** BROKER_ALLOW_ANONYMOUS: clients without credentials get full access (development only). */
  allowAnonymous: boolean;
  /** Time source of the log-line limit. */
  clock?: Clock;
  /** The in-memory credential of convoi's own consumer. */
  platform?: { readonly username: string; readonly password: string };
}

type Hooks = Required<
  Pick<
    AedesOptions,
    'preConnect' | 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'
  >
>;

export interface BrokerAuthHooks extends Hooks {
  /** Who a connected client authenticated as. */
  principalOf(client: Client): Principal | undefined;
  /** Closes every live session of `username` (revocation); returns how many. */
  disconnect(username: string): number;
}

/**
 * The Aedes hooks of the hardened broker: authentication against the credential store (and the
 * platform's in-memory credential), the client id bound to the device id, and the deny-by-default
 * topic ACL of `topic-acl.ts`. Spread the result into the Aedes options.
 */
export function createBrokerAuthHooks(deps: BrokerAuthDeps): BrokerAuthHooks {
  const logger = new Logger('BrokerAuth');
  // A flapping device takes over its session on every reconnect: limited like ingestion's lines.
  const takeoverLines = new RateLimitedLogger(logger, deps.clock ?? new Clock(), 'session takeovers');
  const rejections = brokerRejections(deps.metrics);
  const takeovers = deps.metrics.counter(
    'convoi_broker_client_takeovers_total',
    'Connections that replaced a live session with the same client id and credential [MQTT-3.1.4-2]',
  );
  const retainedRefused = deps.metrics.counter(
    'convoi_broker_retained_refused_total',
    'PUBLISH or Last Will refused for carrying RETAIN outside a device status topic (also in acl_publish)',
  );
  const principals = new WeakMap<Client, Principal>();
  const live = new Map<string, { client: Client; principal: Principal }>();
  let pruneAt = 1024;
  const platformDigest = deps.platform ? digest(deps.platform.password) : undefined;
  if (deps.allowAnonymous)
    logger.warn('BROKER_ALLOW_ANONYMOUS=true: MQTT clients need no credentials (development only)');

  const refuse = (reason: BrokerRejectionReason, code: number): AuthenticateError => {
    rejections.inc({ reason });
    return Object.assign(new Error(`connection refused: ${reason}`), { returnCode: code });
  };

  const identify = async (
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<Principal | undefined> => {
    if (username === undefined || password === undefined) {
      return deps.allowAnonymous ? { kind: 'anonymous', name: 'anonymous' } : undefined;
    }
    if (deps.platform && platformDigest && username === deps.platform.username) {
      return timingSafeEqual(digest(password), platformDigest)
        ? { kind: 'platform', name: username }
        : undefined;
    }
    return deps.store.verify(username, password);
  };

  const admit = (client: Client, principal: Principal): BrokerRejectionReason | undefined => {
    // D1: a device's client id is its device id, so one device cannot take another's session.
    if (principal.kind === 'device' && client.id !== principal.name) return 'client_id_mismatch';
    const previous = live.get(client.id);
    if (previous !== undefined && !previous.client.closed) {
      if (previous.principal.name !== principal.name) return 'client_id_taken';
      // D2: same credential, so the spec's takeover stands; counted so flapping shows.
      takeovers.inc();
      takeoverLines.warn({ clientId: client.id }, 'MQTT client took over its own live session');
    }
    if (live.size >= pruneAt) {
      for (const [id, entry] of live) if (entry.client.closed) live.delete(id);
      pruneAt = Math.max(1024, live.size * 2);
    }
    live.set(client.id, { client, principal });
    principals.set(client, principal);
    if (
      client.conn instanceof GuardedConnection &&
      principal.kind !== 'device' &&
      principal.kind !== 'anonymous'
    ) {
      client.conn.setPublishRate(
        deps.limits.trustedPublishRatePerS,
        Math.max(1, deps.limits.trustedPublishRatePerS),
      );
    }
    return undefined;
  };

  const hooks: BrokerAuthHooks = {
    preConnect(client, _packet, callback) {
      const address = remoteAddress(client);
      if (deps.abuse?.isBanned(address)) {
        rejections.inc({ reason: 'banned' });
        // An error, not (null, false): Aedes closes the connection only when given an error.
        callback(new Error('address banned'), false);
        return;
      }
      callback(null, true);
    },

    authenticate(client, username, password, done) {
      identify(username, password).then(
        (principal) => {
          if (principal === undefined) {
            deps.abuse?.noteAuthFailure(remoteAddress(client));
            done(refuse('auth_failed', BAD_USERNAME_OR_PASSWORD), null);
            return;
          }
          const refusal = admit(client, principal);
          if (refusal !== undefined) {
            done(refuse(refusal, IDENTIFIER_REJECTED), null);
            return;
          }
          done(null, true);
        },
        (error: unknown) => {
          logger.error({ clientId: client.id, err: error }, 'MQTT authentication failed internally');
          done(refuse('auth_failed', SERVER_UNAVAILABLE), null);
        },
      );
    },

    authorizePublish(client, packet, callback) {
      // A null client is a Will left by a session of an earlier run: nobody to check it against.
      const principal = client ? principals.get(client) : undefined;
      if (principal !== undefined && canPublish(principal, packet.topic)) {
        if (!packet.retain || canRetain(principal, packet.topic)) {
          callback(null);
          return;
        }
        // Refused, not stripped: a device that sets RETAIN where it must not is misconfigured or
        // hostile, and a refusal shows in the counter where a silently stripped flag would not.
        retainedRefused.inc();
      }
      rejections.inc({ reason: 'acl_publish' });
      // Aedes closes the connection on an error [MQTT-3.3.5-2 allows it].
      callback(new Error('publish not authorized'));
    },

    authorizeSubscribe(client, subscription, callback) {
      const principal = principals.get(client);
      if (principal !== undefined && canSubscribe(principal, subscription.topic)) {
        callback(null, subscription);
        return;
      }
      rejections.inc({ reason: 'acl_subscribe' });
      // (null, null): SUBACK 0x80 for this filter, not a silent grant (HOSTILE-INPUTS B11).
      callback(null, null);
    },

    authorizeForward(client, packet) {
      const principal = principals.get(client);
      return principal !== undefined && canReceive(principal, packet.topic) ? packet : null;
    },

    principalOf(client) {
      return principals.get(client);
    },

    disconnect(username) {
      let closed = 0;
      for (const [id, entry] of live) {
        if (entry.principal.name !== username) continue;
        live.delete(id);
        if (!entry.client.closed) {
          rejections.inc({ reason: 'revoked' });
          entry.client.close();
          closed++;
        }
      }
      return closed;
    },
  };
  // D8: a revoked or rotated credential ends its live sessions at once.
  deps.store.onChange((username) => hooks.disconnect(username));
  return hooks;
}

function remoteAddress(client: Client): string {
  return (client.conn as { remoteAddress?: string }).remoteAddress ?? 'unknown';
}

function digest(secret: string | Buffer): Buffer {
  return createHash('sha256').update(secret).digest();
}
