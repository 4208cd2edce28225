import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import pg from 'pg';
import { LOCK_SPACE, singletonKey } from '#src/leases/advisory-lock.keys.js';
import { leaseConnect, type LeaseConnect } from '#src/leases/lease-session.js';
import { SingletonLease } from '#src/leases/singleton-lease.js';
import { connectOnce, lockHolders, terminate } from '#test/support/lease-participants.js';
import { startPostgres, type PostgresServer } from '#test/support/postgres.js';
import { waitFor } from '#test/support/wait-for.js';

describe(SingletonLease.name, () => {
  let server: PostgresServer;
  let url: string;
  let admin: pg.Pool;
  let leases: SingletonLease[];
  let events: string[];

  const lease = (node: string, name = 'retention-purge', connect: LeaseConnect = leaseConnect(url, node)) => {
    const l = new SingletonLease({
      name,
      connect,
      retryMs: 100,
      onAcquired: () => events.push(`${node} acquired ${name}`),
      onLost: () => events.push(`${node} lost ${name}`),
    });
    leases.push(l);
    return l;
  };
  const holders = (group: SingletonLease[]) => group.filter((l) => l.isHeld());

  before(async () => {
    server = await startPostgres();
  });
  after(() => server.stop());
  beforeEach(async () => {
    url = await server.createDatabase();
    admin = new pg.Pool({ connectionString: url, max: 2 });
    leases = [];
    events = [];
  });
  afterEach(async () => {
    for (const l of leases) await l.stop();
    await admin.end();
  });

  it('has exactly one holder among 3 nodes, and one per job name', async () => {
    const purge = ['n1', 'n2', 'n3'].map((n) => lease(n));
    const webhooks = ['n1', 'n2', 'n3'].map((n) => lease(n, 'webhook-delivery'));
    await Promise.all([...purge, ...webhooks].map((l) => l.start()));

    assert.equal(holders(purge).length, 1);
    assert.equal(holders(webhooks).length, 1);
    // The others keep trying every 100 ms; several turns later still one holder.
    let turns = 0;
    await waitFor('several retry turns', () => {
      assert.equal(holders(purge).length, 1);
      return ++turns >= 10;
    });
    const locks = await lockHolders(admin, LOCK_SPACE.singleton);
    assert.deepEqual(
      [singletonKey('retention-purge'), singletonKey('webhook-delivery')].map((k) => locks.get(k)?.length),
      [1, 1],
    );
  });

  it("gets a new holder after the holder's session dies", async (t) => {
    const nodes = ['n1', 'n2', 'n3'].map((n) => lease(n, 'fleet-kpis', connectOnce(url, n)));
    await nodes[0].start();
    await Promise.all(nodes.slice(1).map((l) => l.start()));
    assert.deepEqual(holders(nodes), [nodes[0]]);
    const [pid] = (await lockHolders(admin, LOCK_SPACE.singleton)).get(singletonKey('fleet-kpis')) ?? [];

    const killed = Date.now();
    await terminate(admin, pid);
    // The dead session's holder learns of its end from its socket: until then it still says held.
    const [next] = await waitFor(
      'a new holder',
      () => !nodes[0].isHeld() && holders(nodes).length === 1 && holders(nodes),
      10_000,
    );
    t.diagnostic(`new singleton holder ${Date.now() - killed} ms after the kill`);
    assert.notEqual(next, nodes[0]);
    assert.equal(nodes[0].isHeld(), false);
    assert.ok(events.includes('n1 lost fleet-kpis'), events.join('; '));
    assert.equal(events.filter((e) => e.includes('acquired')).length, 2);
  });

  it('hands the job on when its holder stops', async () => {
    const [first, second] = ['n1', 'n2'].map((n) => lease(n, 'outbox-replay'));
    await first.start();
    await second.start();
    assert.equal(first.isHeld(), true);
    assert.equal(second.isHeld(), false);

    await first.stop();
    assert.equal(first.isHeld(), false);
    await waitFor('the other node to hold it', () => second.isHeld(), 5000);
  });
});
