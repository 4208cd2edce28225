import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '#src/common/clock.js';
import { STATE_T, fillState, readState } from '#src/state/container-states.testing.js';
import type { PostgresContainerStates } from '#src/state/postgres-container-states.js';
import { PAGE_SHIFT } from '#src/state/state.layout.js';
import { startPostgres, withClient, type PostgresServer } from '#test/support/postgres.js';
import { openStateProcess, type StateProcess } from '#test/support/state-on-store.js';

const PARTITIONS = 4;
const ids = Array.from({ length: 200 }, (_, i) => `C${i}`);

/**
 * What a checkpoint sends PostgreSQL for a page (ARCHITECTURE.md §5, "On PostgreSQL"): each
 * changed page's numbers, its ids only when they changed. Rewriting every page's ids (JSON,
 * encoded as text, rewritten by the server) at every checkpoint was most of what the state
 * checkpoint cost both processes when every page changes.
 */
describe('state pages written to PostgreSQL', () => {
  let server: PostgresServer;
  before(async () => {
    server = await startPostgres();
  });
  after(() => server.stop());

  it('rewrites a page’s ids only when they changed, and a restore reads the latest', async () => {
    const url = await server.createDatabase();
    const clock = new ManualClock(STATE_T);
    const held = await inProcess(url, clock, async (a) => {
      ids.forEach((id, n) => fillState(a.states, id, n));
      await a.states.writeBehind();
      // Counts the statements that set `ids` on a stored page (an UPDATE OF trigger fires when the
      // column is in the SET list, whatever its value).
      await withClient(url, (client) =>
        client.query(`
          CREATE TABLE ids_rewrites (partition INT, page INT);
          CREATE FUNCTION count_ids_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN INSERT INTO ids_rewrites VALUES (NEW.partition, NEW.page); RETURN NEW; END $$;
          CREATE TRIGGER ids_rewritten AFTER UPDATE OF ids ON state_pages
            FOR EACH ROW EXECUTE FUNCTION count_ids_rewrite();`),
      );
      const rewrites = () =>
        withClient(url, async (client) => (await client.query('SELECT * FROM ids_rewrites')).rows);
      const pageCount = await withClient(
        url,
        async (client) => (await client.query('SELECT 1 FROM state_pages')).rowCount,
      );
      assert.ok(pageCount !== null && pageCount >= PARTITIONS);

      // Every container's numbers change, nobody moves: the pages' numbers only.
      ids.forEach((id, n) => fillState(a.states, id, n + 1000));
      await a.states.writeBehind();
      assert.deepEqual(await rewrites(), [], 'no page had its ids rewritten');

      // One container reports through another device: its page's ids, and only those.
      const moved = a.states.get('C7')!;
      a.states.pages.deviceIds[moved.slot] = 'D-other';
      a.states.pages.markDirty(moved.slot);
      await a.states.writeBehind();
      assert.deepEqual(await rewrites(), [
        { partition: moved.partition, page: a.states.pages.pageOrdinal[moved.slot >> PAGE_SHIFT] },
      ]);
      return new Map(ids.map((id) => [id, readState(a.states, id)]));
    });

    await inProcess(url, clock, (b) => {
      for (const id of ids) assert.deepEqual(readState(b.states, id), held.get(id), id);
      assert.equal(b.states.pages.deviceIds[b.states.get('C7')!.slot], 'D-other');
    });
  });
  it('drops the waiting writes of a partition given away while PostgreSQL was down', async () => {
    const url = await server.createDatabase();
    const clock = new ManualClock(STATE_T);
    const given = await inProcess(url, clock, async (a) => {
      ids.forEach((id, n) => fillState(a.states, id, n));
      await a.states.writeBehind();
      const before = new Map(ids.map((id) => [id, readState(a.states, id)]));
      await server.pause();
      try {
        ids.forEach((id, n) => fillState(a.states, id, n + 1000));
        await assert.rejects(a.states.writeBehind());
        assert.ok((a.states as PostgresContainerStates).waiting > 0, 'the writes wait for PostgreSQL');
        // The partition's new owner restores what was stored and replays the log from there.
        a.states.release([a.states.get('C0')!.partition]);
      } finally {
        await server.resume();
      }
      const partition = a.states.partitionOf('C0');
      await a.states.writeBehind();
      assert.equal((a.states as PostgresContainerStates).waiting, 0);
      return {
        partition,
        before,
        after: new Map(ids.map((id) => [id, a.states.get(id) && readState(a.states, id)])),
      };
    });
    await inProcess(url, clock, (b) => {
      for (const id of ids) {
        const restored = readState(b.states, id) as { numbers: number[] };
        if (b.states.partitionOf(id) !== given.partition) {
          assert.deepEqual(restored, given.after.get(id), id);
          continue;
        }
        // Only the pages were stored before the outage (windows and quiet rules wait for later
        // checkpoints): the numbers are those of the last stored checkpoint, not the dropped write.
        const stored = given.before.get(id) as { numbers: number[] };
        assert.deepEqual(restored.numbers, stored.numbers, id);
      }
    });
  });

  it('compresses the pages’ bytes and ids with lz4 where the server has it', async () => {
    const url = await server.createDatabase();
    await inProcess(url, new ManualClock(STATE_T), () => undefined);
    const { rows } = await withClient(url, (client) =>
      client.query<{ attname: string; method: string; lz4: boolean }>(`
        SELECT attname, attcompression AS method,
          EXISTS (SELECT 1 FROM pg_settings
                  WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)) AS lz4
        FROM pg_attribute WHERE attrelid = 'state_pages'::regclass AND attname IN ('numbers', 'dedupe', 'ids')
        ORDER BY attname`),
    );
    // 'l': lz4; '' : the server's default (pglz), on a server built without lz4.
    assert.deepEqual(
      rows.map((r) => [r.attname, r.method]),
      ['dedupe', 'ids', 'numbers'].map((name) => [name, rows[0].lz4 ? 'l' : '']),
    );
  });
});

/** Runs `work` in a process of the state on PostgreSQL at `url`, closed after it (its last writes stored). */
async function inProcess<T>(
  url: string,
  clock: ManualClock,
  work: (p: StateProcess) => T | Promise<T>,
): Promise<T> {
  const opened = await openStateProcess(url, clock, PARTITIONS);
  try {
    return await work(opened);
  } finally {
    await opened.close();
  }
}
