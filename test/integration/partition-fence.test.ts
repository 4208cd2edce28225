import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { ManualClock } from '#src/common/clock.js';
import { LeaseSession, leaseConnect } from '#src/leases/lease-session.js';
import { bumpEpochs } from '#src/leases/partition-epochs.js';
import { PartitionLeases } from '#src/leases/partition-leases.js';
import { STATE_T, fillState, readState } from '#src/state/container-states.testing.js';
import { PostgresStateTables } from '#src/state/postgres-state.tables.js';
import { PartitionFence } from '#src/storage/partition-fence.js';
import { terminate } from '#test/support/lease-participants.js';
import { startPostgres, withClient, type PostgresServer } from '#test/support/postgres.js';
import { startSilentLink } from '#test/support/silent-link.js';
import { openStateProcess, type StateProcess } from '#test/support/state-on-store.js';
import { waitFor } from '#test/support/wait-for.js';

const PARTITIONS = 4;
const ids = Array.from({ length: 40 }, (_, i) => `C${i}`);

/** A processor of the state in this test: its state, fence, the positions it applied, what it was fenced from. */
interface Processor extends StateProcess {
  applied: Map<number, number>;
  fenced: number[];
}

/**
 * The fence of a partition's state checkpoint by its lease (ARCHITECTURE.md §9, issue 24): a
 * processor holds the epoch it bumped when it took a partition; a write of the partition's pages,
 * rows or positions at an older epoch than the row's is refused, whatever the order in which the
 * write and the new owner's bump reach PostgreSQL.
 */
describe(PartitionFence.name, () => {
  let server: PostgresServer;
  let url: string;
  const open: { close(): Promise<void> }[] = [];

  before(async () => {
    server = await startPostgres();
  });
  after(() => server.stop());
  beforeEach(async () => {
    url = await server.createDatabase();
  });
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
  });

  /** A lease session (no lock needed here: the epochs are what is tested). */
  const session = async (name: string): Promise<LeaseSession> => {
    const s = new LeaseSession(leaseConnect(url, name), () => undefined);
    await s.open();
    open.push({ close: () => s.close() });
    return s;
  };

  /** A processor of the state holding `partitions` at the epochs just bumped for it, restored. */
  const processor = async (partitions: number[]): Promise<Processor> => {
    const fence = new PartitionFence();
    fence.enforce();
    const p = await openStateProcess(url, new ManualClock(STATE_T), PARTITIONS, [], undefined, fence);
    open.push(p);
    const self: Processor = { ...p, applied: new Map(), fenced: [] };
    // What the cluster intake does on a refusal: the partition is lost (dropped, nothing written).
    fence.onFenced((lost) => {
      self.fenced.push(...lost);
      for (const q of lost) self.applied.delete(q);
      p.states.release(lost);
    });
    p.checkpoint.usePartitionPositions(() => self.applied);
    fence.hold(await bumpEpochs(await session('taker'), partitions));
    await Promise.all([p.states.restore(partitions), p.checkpoint.restorePositions(partitions)]);
    for (const q of partitions) self.applied.set(q, p.checkpoint.restoredPosition(q));
    return self;
  };

  /** Applies `n` to the containers of `partition` (their numbers, rules, journey) at `position`. */
  const apply = (p: Processor, partition: number, n: number, position: number) => {
    for (const id of ids) if (p.states.partitionOf(id) === partition) fillState(p.states, id, n);
    p.applied.set(partition, position);
  };

  /** What a new owner of `partition` restores: its states and position. */
  const restored = async (partition: number) => {
    const c = await processor([partition]);
    return { states: checkpointed(c, partition), position: c.checkpoint.restoredPosition(partition) };
  };

  /** What a checkpoint writes of the states of `partition` (dedupe windows go every 6th time only). */
  const checkpointed = (p: Processor, partition: number) =>
    ids
      .filter((id) => p.states.partitionOf(id) === partition)
      .map((id) => ({ ...(readState(p.states, id) as object), window: undefined }));

  it('refuses the checkpoint of a processor whose partition was taken since; the new owner’s stands', async () => {
    const a = await processor([0, 1]);
    apply(a, 0, 1, 10);
    apply(a, 1, 1, 11);
    assert.ok(await a.checkpoint.checkpoint());

    // A's lease is gone (it has not noticed): B takes partition 0, restores A's checkpoint, goes on.
    const b = await processor([0]);
    assert.equal(b.checkpoint.restoredPosition(0), 10);
    apply(b, 0, 3, 30);
    assert.ok(await b.checkpoint.checkpoint());
    const bState = checkpointed(b, 0);

    // A applies more of partition 0 (an older turn of the log than B's) and of its partition 1.
    apply(a, 0, 2, 20);
    apply(a, 1, 2, 21);
    await a.checkpoint.checkpoint();
    assert.deepEqual(a.fenced, [0], 'A is fenced from partition 0 only');
    assert.equal(
      a.states.get(ids.find((id) => a.states.partitionOf(id) === 0)!),
      undefined,
      'and dropped it',
    );

    const zero = await restored(0);
    assert.deepEqual(zero.states, bState, 'partition 0 as B stored it');
    assert.equal(zero.position, 30, 'at B’s position: nothing B applied is applied again, nothing lost');
    const one = await restored(1);
    assert.equal(one.position, 21, 'partition 1, still A’s, checkpointed');
  });

  it('refuses a position written at an older epoch, with no state of the partition to write', async () => {
    const a = await processor([2]);
    apply(a, 2, 1, 10);
    assert.ok(await a.checkpoint.checkpoint());
    const b = await processor([2]);
    apply(b, 2, 3, 30);
    assert.ok(await b.checkpoint.checkpoint());
    // Only A's position moves (entries of other containers' partitions, or repeats dropped).
    a.applied.set(2, 20);
    await a.checkpoint.checkpoint();
    assert.deepEqual(a.fenced, [2]);
    assert.equal((await restored(2)).position, 30);
  });

  /** The state tables of a process over one client, so a test can hold its transaction open. */
  const tablesOn = async (fence: PartitionFence) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const [{ pid }] = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
    const db = new Kysely<object>({
      dialect: new PostgresDialect({
        pool: {
          connect: () => Promise.resolve(Object.assign(client, { release: () => undefined })),
          end: () => Promise.resolve(),
        },
      }),
    });
    open.push({ close: () => client.end() });
    return { client, pid, tables: new PostgresStateTables(db, fence) };
  };

  /** Waits until backend `pid` waits for a lock held by another transaction. */
  const waitingOnLock = (pid: number) =>
    waitFor(`backend ${pid} waiting on a row lock`, () =>
      withClient(url, async (c) => {
        const { rows } = await c.query<{ wait: string | null }>(
          'SELECT wait_event_type AS wait FROM pg_stat_activity WHERE pid = $1',
          [pid],
        );
        return rows[0]?.wait === 'Lock';
      }),
    );

  const storedRules = (containerId: string) =>
    withClient(url, async (c) => {
      const { rows } = await c.query<{ rules: string }>(
        'SELECT rules FROM container_states WHERE container_id = $1',
        [containerId],
      );
      return rows[0]?.rules;
    });

  it('a write under way when the new owner bumps commits first, and the new owner restores after it', async () => {
    await processor([]); // migrates the tables
    const fence = new PartitionFence();
    fence.hold(await bumpEpochs(await session('old'), [3]));
    const writer = await tablesOn(fence);
    const refused: number[][] = [];
    fence.onFenced((p) => refused.push(p));
    await writer.client.query('BEGIN');
    await writer.tables.transaction(() => writer.tables.writeRules('X', 3, '{"old":1}', STATE_T));

    // The taker's bump waits for the write's transaction: its restore cannot read before it.
    const taker = await session('taker');
    const bumped = bumpEpochs(taker, [3]);
    await waitingOnLock(taker.pid!);
    await writer.client.query('COMMIT');
    assert.deepEqual([...(await bumped)], [[3, 2]]);
    assert.equal(await storedRules('X'), '{"old":1}', 'what the taker restores holds the write');
    assert.deepEqual(refused, []);

    // The next write of the old owner finds the newer epoch.
    await writer.tables.transaction(() => writer.tables.writeRules('X', 3, '{"old":2}', STATE_T));
    assert.deepEqual(refused, [[3]]);
    assert.equal(await storedRules('X'), '{"old":1}');
  });

  it('a write that reaches a bump under way waits for it, then finds the newer epoch and writes nothing', async () => {
    await processor([]);
    const fence = new PartitionFence();
    fence.hold(await bumpEpochs(await session('old'), [3, 1]));
    const writer = await tablesOn(fence);
    const refused: number[][] = [];
    fence.onFenced((p) => refused.push(p));

    const taker = await session('taker');
    await taker.query('BEGIN');
    assert.deepEqual([...(await bumpEpochs(taker, [3]))], [[3, 2]]);
    // Partition 1, still the writer's, goes in the same statement.
    const write = writer.tables.transaction(() => {
      writer.tables.writeRules('X', 3, '{"old":1}', STATE_T);
      writer.tables.writeRules('Y', 1, '{"old":1}', STATE_T);
    });
    await waitingOnLock(writer.pid);
    await taker.query('COMMIT');
    await write;
    assert.deepEqual(refused, [[3]], 'refused at the bumped epoch, read once the bump committed');
    assert.equal(await storedRules('X'), undefined, 'nothing of partition 3 written');
    assert.equal(await storedRules('Y'), '{"old":1}', 'the partition still held is written');
    assert.equal(writer.tables.waiting, 0, 'the refused write does not wait to be sent again');
  });

  /**
   * A processor as the cluster intake wires one: its leases (lease session at `leaseUrl`), its
   * state on PostgreSQL, the fence between them; the listener does what the log processor does
   * with the state (the log itself is not needed to write a checkpoint).
   */
  const leasedProcessor = async (name: string, leaseUrl: string, rebalanceMs: number) => {
    const fence = new PartitionFence();
    fence.enforce();
    const p = await openStateProcess(url, new ManualClock(STATE_T), PARTITIONS, [], undefined, fence);
    open.push(p);
    const self: Processor = { ...p, applied: new Map(), fenced: [] };
    p.checkpoint.usePartitionPositions(() => self.applied);
    const leases = new PartitionLeases({
      partitions: PARTITIONS,
      connect: leaseConnect(leaseUrl, name),
      rebalanceMs,
      listener: {
        acquired: async (partitions, epochs) => {
          fence.hold(epochs);
          await Promise.all([p.states.restore(partitions), p.checkpoint.restorePositions(partitions)]);
          for (const q of partitions) self.applied.set(q, p.checkpoint.restoredPosition(q));
        },
        releasing: async (partitions) => {
          await p.checkpoint.checkpoint();
          for (const q of partitions) self.applied.delete(q);
          fence.drop(partitions);
          p.states.release(partitions);
        },
        lost: (partitions) => {
          fence.drop(partitions);
          for (const q of partitions) self.applied.delete(q);
          p.states.release(partitions);
        },
      },
    });
    fence.onFenced((partitions) => {
      self.fenced.push(...partitions);
      void leases.forfeit(partitions);
    });
    open.push({ close: () => leases.stop() });
    await leases.start();
    return { ...self, leases };
  };

  it('fences a processor whose lease session PostgreSQL ended behind a silent network', async () => {
    await processor([]); // migrates the tables
    const link = await startSilentLink(Number(new URL(url).port));
    open.push(link);
    const viaLink = Object.assign(new URL(url), { port: String(link.port) }).href;
    // A looks at its leases once a minute: it does not notice its session's end during the test.
    const a = await leasedProcessor('a', viaLink, 60_000);
    assert.deepEqual(a.leases.owned(), [0, 1, 2, 3]);
    apply(a, 0, 1, 10);
    assert.ok(await a.checkpoint.checkpoint());

    // A's network goes silent and PostgreSQL ends its session (keepalives, tcp_user_timeout).
    const aPid = a.leases.sessionPid;
    link.silence();
    const admin = new pg.Pool({ connectionString: url, max: 1 });
    open.push({ close: () => admin.end() });
    await terminate(admin, aPid);
    const b = await leasedProcessor('b', url, 100);
    await waitFor('B holding every partition', () => b.leases.owned().length === PARTITIONS);
    assert.equal(b.checkpoint.restoredPosition(0), 10, 'B restored what A checkpointed');
    apply(b, 0, 3, 30);
    assert.ok(await b.checkpoint.checkpoint());
    const bState = checkpointed(b, 0);

    // A, unaware, goes on with an older turn of the log and checkpoints it.
    assert.deepEqual(a.leases.owned(), [0, 1, 2, 3], 'A has not noticed');
    apply(a, 0, 2, 20);
    await a.checkpoint.checkpoint();
    assert.deepEqual(
      [...new Set(a.fenced)].sort(),
      [0, 1, 2, 3],
      'every partition of A fenced (its state of 0, the positions of all)',
    );
    assert.deepEqual(a.leases.owned(), [], 'and given up');
    assert.deepEqual(b.leases.owned(), [0, 1, 2, 3]);

    const zero = await restored(0);
    assert.deepEqual(zero.states, bState, 'partition 0 as B stored it');
    assert.equal(zero.position, 30, 'at B’s position');
  });
});
