import { NatsServerProcess } from './nats-server.js';
import { startPostgres, type PostgresServer } from './postgres.js';
import { startTestApp, type TestApp } from './test-app.js';

/** A test app in cluster mode, with the nats-server and PostgreSQL started for it. */
export interface ClusterApp {
  app: TestApp;
  nats: NatsServerProcess;
  postgres: PostgresServer;
  /** Closes the app, then stops PostgreSQL and nats-server. */
  close(): Promise<void>;
}

/**
 * Starts a real nats-server (JetStream) and PostgreSQL, then a test app on them (`NATS_URL`,
 * `DATABASE_URL`, `PARTITIONS`), `env` on top (its CONVOI_ROLES; every role by default).
 */
export async function startClusterApp(
  partitions: number,
  env: Record<string, string> = {},
): Promise<ClusterApp> {
  const nats = new NatsServerProcess();
  let postgres: PostgresServer | undefined;
  try {
    await nats.start();
    postgres = await startPostgres();
    const app = await startTestApp({
      env: {
        NATS_URL: nats.url,
        DATABASE_URL: await postgres.createDatabase(),
        PARTITIONS: String(partitions),
        ...env,
      },
    });
    const pg = postgres;
    return {
      app,
      nats,
      postgres: pg,
      close: async () => {
        await app.close();
        await pg.stop();
        await nats.dispose();
      },
    };
  } catch (error) {
    await postgres?.stop();
    await nats.dispose();
    throw error;
  }
}
