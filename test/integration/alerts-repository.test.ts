import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import { sql } from 'kysely';
import type { Alert, AlertHistoryEntry } from '#src/alerts/alert.types.js';
import { AlertsRepository, type AlertWrite } from '#src/alerts/alerts.repository.js';
import { WebhookDeliveriesRepository } from '#src/alerts/webhook-deliveries.repository.js';
import { Clock } from '#src/common/clock.js';
import { defaultConfig } from '#src/app-settings.js';
import { isUniqueViolation } from '#src/storage/store-errors.js';
import { describeEachStore } from '#test/support/store-dialects.js';

const T0 = Date.UTC(2026, 10, 22, 6, 0, 0);
const MINUTE = 60_000;

function alert(i: number, over: Partial<Alert> = {}): Alert {
  return {
    id: `A-${String(i).padStart(3, '0')}`,
    containerId: `C-${i % 3}`,
    ...(i % 2 === 0 && { shipmentId: 'SH-1' }),
    deviceId: `dev-${i % 3}`,
    ruleId: `rule-${i}`,
    ruleKind: 'threshold',
    severity: 'warning',
    status: 'active',
    acknowledged: false,
    openedAt: T0 + Math.min(i, 5) * MINUTE,
    lastSeenAt: T0 + Math.min(i, 5) * MINUTE,
    value: 6.5,
    peakValue: 6.5,
    count: 1,
    message: 'Température au-dessus de +4 °C',
    ...over,
  };
}

const opened = (a: Alert): AlertHistoryEntry => ({
  at: a.openedAt,
  change: 'opened',
  by: 'rule',
  severity: a.severity,
  value: 6.5,
});

describeEachStore(AlertsRepository.name, (current) => {
  let repository: AlertsRepository;
  /** Stores as the writer does on this store: at once on SQLite, a batch on PostgreSQL. */
  let store: (...writes: AlertWrite[]) => Promise<void>;

  beforeEach(async () => {
    const { store: operational, sqlite, dialect } = current();
    const webhooks = new WebhookDeliveriesRepository(operational, sqlite, defaultConfig(), new Clock());
    repository = new AlertsRepository(operational, sqlite, webhooks);
    await repository.onModuleInit();
    store =
      dialect === 'sqlite'
        ? (...writes) => {
            for (const w of writes) repository.storeNow(w);
            return Promise.resolve();
          }
        : (...writes) => repository.store(writes);
  });

  /** The refusal of alerts_one_active: PostgreSQL names the index, SQLite its columns. */
  const byOneActiveIndex = (err: unknown): boolean =>
    isUniqueViolation(err) &&
    (current().dialect === 'postgres'
      ? (err as { constraint?: string }).constraint === 'alerts_one_active'
      : /alerts\.container_id, alerts\.rule_id/.test(String(err)));

  /** A row inserted as it is, bypassing the repository: only the database may refuse it. */
  const insertDirectly = (a: Alert) =>
    sql`INSERT INTO alerts (id, container_id, rule_id, rule_kind, severity, status, opened_at,
          last_seen_at, count, message)
        VALUES (${a.id}, ${a.containerId}, ${a.ruleId}, ${a.ruleKind}, ${a.severity}, ${a.status},
          ${a.openedAt}, ${a.lastSeenAt}, ${a.count}, ${a.message})`.execute(current().store.db);

  it('stores an alert and its history and reads them back as written', async () => {
    const a = alert(2, { acknowledged: true, acknowledgedBy: 'planner', acknowledgedAt: T0 + MINUTE });
    const { value: _v, peakValue: _p, ...b } = alert(1);
    await store({ alert: a, entry: opened(a) }, { alert: b, entry: { ...opened(b), note: 'n' } });
    assert.deepEqual(await repository.find(a.id), a);
    assert.deepEqual(await repository.find(b.id), b);
    assert.deepEqual(await repository.history(b.id), [{ ...opened(b), note: 'n' }]);
    assert.equal(await repository.find('none'), undefined);
  });

  it('refuses a second active alert for the same container and rule in the database itself', async () => {
    const first = alert(1);
    await store({ alert: first, entry: opened(first) });
    await assert.rejects(insertDirectly({ ...first, id: 'A-other' }), byOneActiveIndex);
    // Cleared, the (container, rule) may have a new active alert; cleared ones may be many.
    await store({ alert: { ...first, status: 'cleared', clearedAt: T0 + 9 * MINUTE } });
    await insertDirectly({ ...first, id: 'A-second' });
    await insertDirectly({ ...first, id: 'A-third', status: 'cleared' });
    await assert.rejects(insertDirectly({ ...first, id: 'A-fourth' }), byOneActiveIndex);
  });

  it('never undoes a clear or an acknowledgement: a late or repeated write leaves them', async () => {
    const a = alert(1);
    const acked = { ...a, acknowledged: true, acknowledgedBy: 'planner', acknowledgedAt: T0 + MINUTE };
    const cleared = { ...acked, status: 'cleared' as const, clearedAt: T0 + 2 * MINUTE };
    await store({ alert: a, entry: opened(a) }, { alert: cleared });
    // A node that saw neither change writes its newer reading of the alert.
    await store({ alert: { ...a, count: 7, lastSeenAt: T0 + 3 * MINUTE, peakValue: 8 } });
    assert.deepEqual(await repository.find(a.id), {
      ...cleared,
      count: 7,
      lastSeenAt: T0 + 3 * MINUTE,
      peakValue: 8,
    });
  });

  it('stores a change again without doubling its history (a crash between the store and the outbox)', async () => {
    const a = alert(1);
    const write = { alert: a, entry: opened(a) };
    await store(write);
    await repository.storeAgain(write);
    await repository.storeAgain({ alert: { ...a, count: 2 }, entry: { ...opened(a), change: 'updated' } });
    assert.deepEqual(
      (await repository.history(a.id)).map((h) => h.change),
      ['opened', 'updated'],
    );
    assert.equal((await repository.find(a.id))?.count, 2);
  });

  it('stores a batch where an alert clears and a new one opens on the same (container, rule)', async () => {
    const a = alert(1);
    await store({ alert: a, entry: opened(a) });
    const next = { ...a, id: 'A-next', openedAt: T0 + 9 * MINUTE, lastSeenAt: T0 + 9 * MINUTE };
    await store(
      { alert: { ...a, count: 2 } },
      { alert: { ...a, count: 2, status: 'cleared', clearedAt: T0 + 8 * MINUTE }, entry: opened(a) },
      { alert: next, entry: opened(next) },
      { alert: { ...next, count: 2 } },
    );
    assert.deepEqual(
      (await repository.active()).map((x) => [x.id, x.count]),
      [['A-next', 2]],
    );
  });

  it('lists newest first with filters and keyset pages, ties broken by id', async () => {
    const all = Array.from({ length: 9 }, (_, i) => alert(i + 1));
    await store(...all.map((a) => ({ alert: a, entry: opened(a) })));
    const ids = (xs: Alert[]) => xs.map((x) => x.id);
    const newestFirst = [...all].sort((x, y) => y.openedAt - x.openedAt || (y.id < x.id ? -1 : 1));
    assert.deepEqual(ids(await repository.list({}, undefined, 100)), ids(newestFirst));
    const paged: Alert[] = [];
    for (let page = await repository.list({}, undefined, 2); page.length > 0;) {
      paged.push(...page);
      const last = page[page.length - 1];
      page = await repository.list({}, { openedAt: last.openedAt, id: last.id }, 2);
    }
    assert.deepEqual(ids(paged), ids(newestFirst));
    assert.deepEqual(
      ids(await repository.list({ shipmentId: 'SH-1', containerIds: ['C-0', 'C-1'] }, undefined, 100)),
      ids(newestFirst.filter((a) => a.shipmentId === 'SH-1' && a.containerId !== 'C-2')),
    );
    assert.deepEqual(await repository.list({ containerIds: [] }, undefined, 100), []);
    assert.deepEqual(
      ids(await repository.list({ openedFrom: T0 + 2 * MINUTE, openedTo: T0 + 4 * MINUTE }, undefined, 9)),
      ['A-003', 'A-002'],
    );
  });
});
