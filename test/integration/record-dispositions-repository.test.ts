import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import { sql } from 'kysely';
import { RecordDispositionsRepository } from '#src/records/record-dispositions.repository.js';
import { describeEachStore } from '#test/support/store-dialects.js';

const T0 = Date.UTC(2026, 10, 22, 8, 0, 0);

describeEachStore(RecordDispositionsRepository.name, (current) => {
  let repository: RecordDispositionsRepository;

  beforeEach(async () => {
    repository = new RecordDispositionsRepository(current().store);
    await repository.onModuleInit();
  });

  it('keeps every decision on a shipment, oldest first, and says which ones override', async () => {
    await repository.add('S-1', {
      decision: 'inspect',
      reason: 'first look',
      computed: 'inspect',
      by: 'qm',
      at: T0,
    });
    await repository.add('S-2', {
      decision: 'accept',
      reason: 'other',
      computed: 'accept',
      by: 'qm',
      at: T0,
    });
    await repository.add('S-1', {
      decision: 'reject',
      reason: 'probe 9 °C at the dock',
      computed: 'inspect',
      by: 'planner',
      at: T0 + 60_000,
    });
    assert.deepEqual(await repository.history('S-1'), [
      {
        decision: 'inspect',
        reason: 'first look',
        computed: 'inspect',
        overridden: false,
        by: 'qm',
        at: new Date(T0).toISOString(),
      },
      {
        decision: 'reject',
        reason: 'probe 9 °C at the dock',
        computed: 'inspect',
        overridden: true,
        by: 'planner',
        at: new Date(T0 + 60_000).toISOString(),
      },
    ]);
    assert.deepEqual(await repository.history('S-none'), []);
  });

  it('orders by insertion, not by the decision time', async () => {
    await repository.add('S-1', {
      decision: 'accept',
      reason: 'a',
      computed: 'accept',
      by: 'qm',
      at: T0 + 5,
    });
    await repository.add('S-1', { decision: 'reject', reason: 'b', computed: 'accept', by: 'qm', at: T0 });
    assert.deepEqual(
      (await repository.history('S-1')).map((d) => d.reason),
      ['a', 'b'],
    );
  });

  it('applies its migration once: a second start finds the table at version 1 with its rows', async () => {
    await repository.add('S-1', { decision: 'accept', reason: 'a', computed: 'accept', by: 'qm', at: T0 });
    await new RecordDispositionsRepository(current().store).onModuleInit();
    const versions = await sql<{ version: number }>`
      SELECT version FROM schema_migrations WHERE scope = 'shipment_records'`.execute(current().store.db);
    assert.deepEqual(
      versions.rows.map((r) => Number(r.version)),
      [1],
    );
    assert.equal((await repository.history('S-1')).length, 1);
  });
});
