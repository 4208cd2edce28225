// A real Aedes behind the hardened edge (guard + auth hooks + credential store) on a
// free loopback port, assembled the way the broker service is meant to, for integration tests.
import { Aedes } from 'aedes';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Clock } from '#src/common/clock.js';
import { Metrics } from '#src/common/metrics.js';
import { defaultConfig } from '#src/app-settings.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { OperationalStoreConfig } from '#src/storage/operational-store.config.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { createBrokerAuthHooks, type BrokerAuthHooks } from '#src/broker/auth/broker-auth.hooks.js';
import { DeviceCredentialStore } from '#src/broker/auth/device-credential.store.js';
import {
  aedesOptionsFromLimits,
  DEFAULT_BROKER_LIMITS,
  type BrokerLimits,
} from '#src/broker/hardening/broker-limits.js';
import {
  createHardenedConnectionHandler,
  type HardenedConnectionHandler,
} from '#src/broker/hardening/hardened-connection.handler.js';
import { IpAbuseTracker } from '#src/broker/hardening/ip-abuse.tracker.js';

export interface HardenedBrokerOptions {
  limits?: Partial<BrokerLimits>;
  allowAnonymous?: boolean;
  clock?: Clock;
  /** The credentials' store: this PostgreSQL database; SQLite in a temp DATA_DIR when absent. */
  databaseUrl?: string;
}

export interface HardenedBroker {
  port: number;
  url: string;
  broker: Aedes;
  metrics: Metrics;
  store: DeviceCredentialStore;
  /** The credential store's SQLite file (tests that read or plant stored hashes without a URL). */
  db: SqliteDatabase;
  hooks: BrokerAuthHooks;
  handler: HardenedConnectionHandler;
  abuse: IpAbuseTracker;
  platform: { username: string; password: string };
  /** Value of `convoi_broker_rejected_total{reason}`. */
  rejected(reason: string): Promise<number>;
  close(): Promise<void>;
}

export async function startHardenedBroker(options: HardenedBrokerOptions = {}): Promise<HardenedBroker> {
  const limits: BrokerLimits = { ...DEFAULT_BROKER_LIMITS, ...options.limits };
  const clock = options.clock ?? new Clock();
  const dataDir = mkdtempSync(join(tmpdir(), 'convoi-broker-'));
  const db = new SqliteDatabase(defaultConfig({ DATA_DIR: dataDir }));
  const operational = new OperationalDatabase(
    new OperationalStoreConfig({ DATABASE_URL: options.databaseUrl }),
    db,
  );
  const store = new DeviceCredentialStore(operational, db, clock);
  await store.onModuleInit();
  const metrics = new Metrics();
  const abuse = new IpAbuseTracker(limits, clock);
  const platform = { username: 'convoi-platform', password: 'platform-secret-for-tests-only-000000000' };
  const hooks = createBrokerAuthHooks({
    store,
    metrics,
    limits,
    abuse,
    allowAnonymous: options.allowAnonymous ?? false,
    platform,
  });
  const broker = await Aedes.createBroker({ ...aedesOptionsFromLimits(limits), ...hooks });
  const handler = createHardenedConnectionHandler(broker, limits, metrics, { clock, abuse });
  const server: Server = createServer({ noDelay: true }, handler);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    broker,
    metrics,
    store,
    db,
    hooks,
    handler,
    abuse,
    platform,
    async rejected(reason) {
      const metric = await metrics.registry.getSingleMetric('convoi_broker_rejected_total')?.get();
      return metric?.values.find((v) => v.labels.reason === reason)?.value ?? 0;
    },
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Sockets a failed test left open must not keep the listener (and the test process) alive.
      for (const socket of sockets) socket.destroy();
      await closed;
      await store.onApplicationShutdown();
      await operational.onApplicationShutdown();
      await db.onApplicationShutdown();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
