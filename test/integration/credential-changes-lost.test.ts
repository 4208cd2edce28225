import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DeviceCredentialStore } from '#src/broker/auth/device-credential.store.js';
import { Clock } from '#src/common/clock.js';
import { defaultConfig } from '#src/app-settings.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { OperationalStoreConfig } from '#src/storage/operational-store.config.js';
import { RECONNECT_MS } from '#src/storage/store-notifications.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { startPostgres, withClient, type PostgresServer } from '#test/support/postgres.js';
import { waitFor } from '#test/support/wait-for.js';

/** A node's credential store on the shared PostgreSQL, with its own DATA_DIR. */
async function node(url: string): Promise<{ credentials: DeviceCredentialStore; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'convoi-creds-'));
  const sqlite = new SqliteDatabase(defaultConfig({ DATA_DIR: dir }));
  const store = new OperationalDatabase(new OperationalStoreConfig({ DATABASE_URL: url }), sqlite);
  const credentials = new DeviceCredentialStore(store, sqlite, new Clock());
  await credentials.onModuleInit();
  return {
    credentials,
    close: async () => {
      await credentials.onApplicationShutdown();
      await store.onApplicationShutdown();
      await sqlite.onApplicationShutdown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const listeners = (url: string) =>
  withClient(url, async (c) => {
    const { rows } = await c.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND datname = current_database()",
    );
    return rows[0].n;
  });

/**
 * The announcements of credential changes can be missed (the LISTEN connection lost): the memory
 * of verified credentials must then not answer for a change it did not hear of.
 */
describe(`${DeviceCredentialStore.name} when its LISTEN connection is lost`, () => {
  let postgres: PostgresServer;
  let url: string;
  before(async () => {
    postgres = await startPostgres();
    url = await postgres.createDatabase();
  });
  after(() => postgres?.stop());

  it('refuses a credential revoked through another node while this one was not listening', async () => {
    const a = await node(url);
    const b = await node(url);
    try {
      const heard: string[] = [];
      a.credentials.onChange((username, change) => heard.push(`${change} ${username}`));
      await a.credentials.issue('dev-gap');
      // Announcements arrive in commit order: once A heard of the rotation, it heard of the insert.
      const secret = await a.credentials.rotate('dev-gap');
      await waitFor('A hears of the rotation', () => heard.includes('rotated dev-gap'));
      assert.ok(await a.credentials.verify('dev-gap', Buffer.from(secret)), 'A keeps it in memory');
      assert.equal(await listeners(url), 2);
      // Both nodes' LISTEN connections end; B's revocation is announced to no one.
      await withClient(url, (c) =>
        c.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND datname = current_database()",
        ),
      );
      await b.credentials.revoke('dev-gap');
      await waitFor('both nodes listening again', async () => (await listeners(url)) === 2, 5 * RECONNECT_MS);
      assert.equal(await a.credentials.verify('dev-gap', Buffer.from(secret)), undefined);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
