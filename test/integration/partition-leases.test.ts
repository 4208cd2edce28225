import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { LOCK_SPACE } from '#src/leases/advisory-lock.keys.js';
import { leaseConnect, type LeaseConnect } from '#src/leases/lease-session.js';
import { PartitionLeases } from '#src/leases/partition-leases.js';
import { PartitionOwnership } from '#src/partitions/partition-ownership.js';
import { migratePostgres } from '#src/storage/postgres-migrator.js';
import {
  STATE_CHECKPOINT_MIGRATIONS,
  STATE_CHECKPOINT_SCOPE,
} from '#src/storage/state-checkpoint.migrations.js';
import { connectOnce, lockHolders, terminate } from '#test/support/lease-participants.js';
import { startPostgres, type PostgresServer } from '#test/support/postgres.js';
import { waitFor } from '#test/support/wait-for.js';

const P = 64;

/** One processor: its leases and the ownership its listener keeps, as the processor side will. */
interface Processor {
  name: string;
  leases: PartitionLeases;
  ownership: PartitionOwnership;
  lost: number[][];
}

describe(PartitionLeases.name, () => {
  let server: PostgresServer;
  let url: string;
  let admin: pg.Pool;
  let processors: Processor[];
  /** Partitions a processor took while another still owned them, or before their last checkpoint: must stay empty. */
  let doubleOwned: string[];
  /** Partitions whose last checkpoint is being written by the processor giving them up. */
  const checkpointing = new Set<number>();
  /** Per partition, the fencing epoch its last taker got: each taker must get a higher one. */
  const epochs = new Map<number, number>();

  const others = (me: Processor) => processors.filter((p) => p !== me);

  /** Failures a test turns on: the store refusing a processor's restore or its last checkpoint. */
  const failing = { restore: new Set<string>(), checkpoint: new Set<string>() };

  const processor = (name: string, connect: LeaseConnect = leaseConnect(url, name), rebalanceMs = 100) => {
    const ownership = PartitionOwnership.of(P, []);
    const self: Processor = { name, ownership, lost: [], leases: undefined as unknown as PartitionLeases };
    self.leases = new PartitionLeases({
      partitions: P,
      connect,
      rebalanceMs,
      listener: {
        acquired: async (partitions, got) => {
          for (const p of partitions) {
            const epoch = got.get(p);
            if (epoch === undefined || epoch <= (epochs.get(p) ?? 0))
              doubleOwned.push(`${p}: ${name} took it at epoch ${epoch}, not above ${epochs.get(p)}`);
            else epochs.set(p, epoch);
          }
          // The instant a taker would start applying: nobody else may be applying any of these.
          for (const p of partitions)
            for (const other of others(self))
              if (other.ownership.owns(p)) doubleOwned.push(`${p}: ${name} took it from ${other.name}`);
          for (const p of partitions)
            if (checkpointing.has(p)) doubleOwned.push(`${p}: ${name} took it before its last checkpoint`);
          // Restore: a real round trip to the store before the partitions are applied.
          await admin.query('SELECT partition FROM checkpoint WHERE partition = ANY($1)', [partitions]);
          if (failing.restore.has(name)) throw new Error('restore refused');
          ownership.take(partitions);
        },
        releasing: async (partitions) => {
          for (const p of partitions) checkpointing.add(p);
          ownership.give(partitions);
          // The last checkpoint of the partitions given up, before their locks are released: a
          // slow one (150 ms on the server), longer than a rebalance turn, so that a taker
          // acquiring before it ends would be seen.
          await admin.query('SELECT pg_sleep(0.15)');
          if (failing.checkpoint.has(name)) {
            for (const p of partitions) checkpointing.delete(p);
            throw new Error('checkpoint refused');
          }
          await admin.query(
            `INSERT INTO checkpoint (partition, by) SELECT p, $2 FROM unnest($1::int[]) AS p
             ON CONFLICT (partition) DO UPDATE SET by = EXCLUDED.by`,
            [partitions, name],
          );
          for (const p of partitions) checkpointing.delete(p);
        },
        lost: (partitions) => {
          self.lost.push(partitions);
          ownership.give(partitions);
        },
      },
    });
    processors.push(self);
    return self;
  };

  /** Owned counts, ascending, when the processors' ownerships are disjoint, cover every partition and differ by one at most. */
  const fairAndDisjoint = (group: Processor[]): number[] | undefined => {
    const owners = new Array<number>(P).fill(0);
    for (const p of group) for (const partition of p.ownership.owned()) owners[partition]++;
    if (owners.some((n) => n !== 1)) return undefined;
    const counts = group.map((p) => p.ownership.owned().length).sort((a, b) => a - b);
    return counts[counts.length - 1] - counts[0] <= 1 ? counts : undefined;
  };

  /** Each processor's ownership is exactly the partition locks its session holds, one holder each. */
  const assertLocksMatch = async (group: Processor[]) => {
    const holders = await lockHolders(admin, LOCK_SPACE.partition);
    assert.equal(holders.size, P);
    for (const pids of holders.values()) assert.equal(pids.length, 1);
    for (const p of group)
      assert.deepEqual(
        p.ownership.owned(),
        [...holders]
          .filter(([, [pid]]) => pid === p.leases.sessionPid)
          .map(([partition]) => partition)
          .sort((x, y) => x - y),
        p.name,
      );
  };

  before(async () => {
    server = await startPostgres();
  });
  after(() => server.stop());
  beforeEach(async () => {
    url = await server.createDatabase();
    admin = new pg.Pool({ connectionString: url, max: 3 });
    await admin.query('CREATE TABLE checkpoint (partition int PRIMARY KEY, by text NOT NULL)');
    // The fencing epochs a taker bumps are migrated with the checkpoint's tables.
    const db = new Kysely<object>({ dialect: new PostgresDialect({ pool: admin }) });
    await migratePostgres(db, STATE_CHECKPOINT_SCOPE, STATE_CHECKPOINT_MIGRATIONS);
    epochs.clear();
    processors = [];
    doubleOwned = [];
    checkpointing.clear();
    failing.restore.clear();
    failing.checkpoint.clear();
  });
  afterEach(async () => {
    for (const p of processors) await p.leases.stop();
    await admin.end();
  });

  it('shares 64 partitions among 3 processors fairly and disjointly, as their locks say', async () => {
    const group = ['a', 'b', 'c'].map((n) => processor(n));
    await Promise.all(group.map((p) => p.leases.start()));
    const counts = await waitFor('a fair share', () => fairAndDisjoint(group), 10_000);
    assert.deepEqual(counts, [21, 21, 22]);
    await assertLocksMatch(group);
    assert.deepEqual(doubleOwned, []);
  });

  it("gives a dead processor's partitions to the others within 10 s", async (t) => {
    // The default rebalance interval: the takeover time measured here is the one a cluster gets.
    const a = processor('a', undefined, 1000);
    const b = processor('b', undefined, 1000);
    const dead = processor('dead', connectOnce(url, 'dead'), 1000);
    await Promise.all([a, b, dead].map((p) => p.leases.start()));
    await waitFor('a fair share', () => fairAndDisjoint([a, b, dead]), 10_000);
    const orphaned = dead.ownership.owned();
    assert.ok(orphaned.length >= 21);

    const killed = Date.now();
    await terminate(admin, dead.leases.sessionPid);
    await waitFor(
      'the survivors to own every partition',
      () => fairAndDisjoint([a, b])?.join() === '32,32',
      10_000,
    );
    const takeoverMs = Date.now() - killed;
    t.diagnostic(`takeover of ${orphaned.length} partitions after a kill: ${takeoverMs} ms`);
    assert.ok(takeoverMs < 10_000);
    assert.deepEqual(dead.ownership.owned(), [], 'the dead session reports its partitions lost');
    assert.deepEqual(dead.lost, [orphaned]);
    await assertLocksMatch([a, b]);
    assert.deepEqual(doubleOwned, []);
  });

  it('gives a joining processor its share, no partition ever owned twice meanwhile', async () => {
    const group = ['a', 'b', 'c'].map((n) => processor(n));
    await Promise.all(group.map((p) => p.leases.start()));
    await waitFor('a fair share', () => fairAndDisjoint(group), 10_000);

    await admin.query('DELETE FROM checkpoint');
    // Every few ms during the rebalance, on top of the check at each acquisition.
    const all = [...group, processor('d')];
    let samples = 0;
    const sampler = setInterval(() => {
      samples++;
      for (let partition = 0; partition < P; partition++) {
        const owners = all.filter((p) => p.ownership.owns(partition)).map((p) => p.name);
        if (owners.length > 1) doubleOwned.push(`${partition}: ${owners.join(', ')}`);
      }
    }, 2);
    try {
      await all[3].leases.start();
      const counts = await waitFor('a fair share of four', () => fairAndDisjoint(all), 10_000);
      assert.deepEqual(counts, [16, 16, 16, 16]);
    } finally {
      clearInterval(sampler);
    }
    assert.ok(samples > 5, `only ${samples} samples`);
    assert.deepEqual(doubleOwned, []);
    await assertLocksMatch(all);
    const handedOff = await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM checkpoint');
    assert.equal(handedOff.rows[0].n, 16, 'a last checkpoint of every partition handed to the newcomer');
  });

  it('reports its partitions lost when its session dies, then joins again', async () => {
    const only = processor('only');
    await only.leases.start();
    assert.equal(only.ownership.owned().length, P);
    const firstPid = only.leases.sessionPid;

    await terminate(admin, firstPid);
    await waitFor('the loss reported', () => only.lost.length === 1, 5000);
    assert.equal(only.lost[0].length, P);
    await waitFor('every partition again', () => only.ownership.owned().length === P, 10_000);
    assert.notEqual(only.leases.sessionPid, firstPid, 'a new session');
    await assertLocksMatch([only]);
  });

  it('hands every partition to the others on a clean stop, after a last checkpoint of each', async () => {
    const a = processor('a');
    const b = processor('b');
    await Promise.all([a, b].map((p) => p.leases.start()));
    await waitFor('a fair share', () => fairAndDisjoint([a, b]), 10_000);
    const given = b.ownership.owned();
    await admin.query('DELETE FROM checkpoint');

    await b.leases.stop();
    assert.deepEqual(b.ownership.owned(), []);
    await waitFor('every partition with the one left', () => a.ownership.owned().length === P, 10_000);
    const checkpointed = await admin.query<{ partition: number }>(
      "SELECT partition FROM checkpoint WHERE by = 'b' ORDER BY partition",
    );
    assert.deepEqual(
      checkpointed.rows.map((r) => r.partition),
      given,
    );
    assert.deepEqual(doubleOwned, []);
    assert.deepEqual(await lockHolders(admin, LOCK_SPACE.member).then((m) => m.size), 1);
  });

  it('releases the partitions whose restore failed, and takes them once it works', async () => {
    const only = processor('only');
    failing.restore.add('only');
    await only.leases.start();
    assert.deepEqual(only.ownership.owned(), []);
    assert.equal(
      (await lockHolders(admin, LOCK_SPACE.partition)).size,
      0,
      'no lock kept for a state not restored',
    );

    failing.restore.delete('only');
    await only.leases.rebalance();
    assert.equal(only.ownership.owned().length, P);
    await assertLocksMatch([only]);
  });

  it('hands partitions off even when their last checkpoint fails', async () => {
    const a = processor('a');
    await a.leases.start();
    failing.checkpoint.add('a');
    const b = processor('b');
    await b.leases.start();
    // The taker replays from the previous checkpoint: longer, not wrong; never two owners.
    assert.deepEqual(await waitFor('a fair share', () => fairAndDisjoint([a, b]), 10_000), [32, 32]);
    await assertLocksMatch([a, b]);
    assert.deepEqual(doubleOwned, []);
  });
});
