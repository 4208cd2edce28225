import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { sql } from 'kysely';
import { AlertChangeOutbox } from '#src/alerts/alert-change.outbox.js';
import { AlertWriter } from '#src/alerts/alert-writer.service.js';
import type { Alert } from '#src/alerts/alert.types.js';
import { AlertsRepository } from '#src/alerts/alerts.repository.js';
import { WebhookDeliveriesRepository } from '#src/alerts/webhook-deliveries.repository.js';
import { Clock } from '#src/common/clock.js';
import { defaultConfig } from '#src/app-settings.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { OperationalStoreConfig } from '#src/storage/operational-store.config.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { startPostgres, type PostgresServer } from '#test/support/postgres.js';

const T0 = Date.UTC(2026, 10, 22, 6, 0, 0);
/** Receivers configured: nothing sends to them here, the test counts the queued deliveries. */
const HOOKS = ['http://127.0.0.1:9/a', 'http://127.0.0.1:9/b'];

const alert = (id: string, over: Partial<Alert> = {}): Alert => ({
  id,
  containerId: 'C-1',
  ruleId: 'temperature-high',
  ruleKind: 'threshold',
  severity: 'warning',
  status: 'active',
  acknowledged: false,
  openedAt: T0,
  lastSeenAt: T0,
  value: 6,
  peakValue: 6,
  count: 1,
  message: 'm',
  ...over,
});
const opened = (a: Alert) => ({
  at: a.openedAt,
  change: 'opened' as const,
  by: 'rule',
  severity: a.severity,
});

/** The write-behind to PostgreSQL: in order, through the local outbox, the database's refusals respected. */
describe(`${AlertWriter.name} on PostgreSQL`, () => {
  let postgres: PostgresServer;
  let dir: string;
  let sqlite: SqliteDatabase;
  let store: OperationalDatabase;
  let repository: AlertsRepository;
  let outbox: AlertChangeOutbox;
  let writer: AlertWriter;

  before(async () => {
    postgres = await startPostgres();
  });
  after(() => postgres?.stop());

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'convoi-alert-writer-'));
    sqlite = new SqliteDatabase(defaultConfig({ DATA_DIR: dir }));
    store = new OperationalDatabase(
      new OperationalStoreConfig({ DATABASE_URL: await postgres.createDatabase() }),
      sqlite,
    );
    const config = defaultConfig({ ALERT_WEBHOOK_URLS: HOOKS.join(',') });
    repository = new AlertsRepository(
      store,
      sqlite,
      new WebhookDeliveriesRepository(store, sqlite, config, new Clock()),
    );
    await repository.onModuleInit();
    outbox = new AlertChangeOutbox(sqlite);
    writer = new AlertWriter(repository, outbox, store);
  });
  afterEach(async () => {
    await store.onApplicationShutdown();
    await sqlite.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores changes in the order decided, and empties the outbox', async () => {
    const a = alert('A');
    writer.record({ alert: a, entry: opened(a) });
    for (let n = 2; n <= 5; n++) writer.record({ alert: { ...a, count: n, lastSeenAt: T0 + n } });
    writer.record({ alert: { ...a, count: 5, lastSeenAt: T0 + 5, status: 'cleared', clearedAt: T0 + 9 } });
    const b = alert('B', { openedAt: T0 + 10, lastSeenAt: T0 + 10 });
    writer.record({ alert: b, entry: opened(b) });
    assert.equal(outbox.pending().length, 7, 'kept locally before PostgreSQL has them');
    await writer.flush();
    assert.deepEqual(outbox.pending(), []);
    assert.deepEqual(await repository.find('A'), {
      ...a,
      count: 5,
      lastSeenAt: T0 + 5,
      status: 'cleared',
      clearedAt: T0 + 9,
    });
    assert.deepEqual(
      (await repository.active()).map((x) => x.id),
      ['B'],
    );
  });

  it('drops a change the database refuses (another active alert of the same container and rule) and goes on', async () => {
    // Another node's active alert for C-1 / temperature-high, already in PostgreSQL.
    await sql`INSERT INTO alerts (id, container_id, rule_id, rule_kind, severity, status, opened_at,
                last_seen_at, count, message)
              VALUES ('OTHER', 'C-1', 'temperature-high', 'threshold', 'warning', 'active', ${T0}, ${T0}, 1, 'm')`.execute(
      store.db,
    );
    const mine = alert('MINE');
    const elsewhere = alert('ELSEWHERE', { containerId: 'C-2' });
    writer.record({ alert: mine, entry: opened(mine) });
    writer.record({ alert: elsewhere, entry: opened(elsewhere) });
    await writer.flush();
    assert.equal(await repository.find('MINE'), undefined, 'refused by alerts_one_active');
    assert.deepEqual(await repository.find('ELSEWHERE'), elsewhere);
    assert.deepEqual(outbox.pending(), []);
  });

  it('keeps the changes while PostgreSQL is away and stores them when it is back', async () => {
    await postgres.pause();
    const a = alert('A');
    writer.record({ alert: a, entry: opened(a) });
    writer.record({ alert: { ...a, count: 2 } });
    // Away for a while (the scenario, not a wait for a condition): the writer retries meanwhile.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(outbox.pending().length, 2);
    await postgres.resume();
    await writer.flush();
    assert.equal((await repository.find('A'))?.count, 2);
    assert.deepEqual(
      (await repository.history('A')).map((h) => h.change),
      ['opened'],
    );
    assert.deepEqual(outbox.pending(), []);
  });

  it('stores at the next start what a run left in the outbox, once', async () => {
    const a = alert('A');
    // A change PostgreSQL stored, whose outbox row a crash kept; and one it never got.
    await repository.store([{ alert: a, entry: opened(a) }]);
    outbox.add({ alert: a, entry: opened(a) });
    outbox.add({
      alert: { ...a, count: 2, peakValue: 7 },
      entry: { ...opened(a), change: 'updated', at: T0 + 1 },
    });
    await new AlertWriter(repository, outbox, store).storeLeftOver();
    assert.deepEqual(
      (await repository.history('A')).map((h) => h.change),
      ['opened', 'updated'],
    );
    assert.equal((await repository.find('A'))?.peakValue, 7);
    assert.deepEqual(outbox.pending(), []);
  });

  it("queues each announced change's webhook deliveries once per receiver, however often it is stored", async () => {
    const a = alert('A');
    const first = { alert: a, entry: opened(a), changeId: 'change-1' };
    const cleared = { ...a, status: 'cleared' as const, clearedAt: T0 + 9 };
    const second = {
      alert: cleared,
      entry: { ...opened(a), change: 'cleared' as const, at: T0 + 9 },
      changeId: 'change-2',
    };
    writer.record(first);
    writer.record({ alert: { ...a, count: 2 } }); // a refresh of the row: nothing announced
    writer.record(second);
    await writer.flush();
    // A crash after PostgreSQL committed: the outbox is drained again at the next start.
    outbox.add(first);
    outbox.add(second);
    await new AlertWriter(repository, outbox, store).storeLeftOver();
    await repository.store([first, second]);
    const rows = await sql<{ change_id: string; url: string; body: string; status: string }>`
      SELECT change_id, url, body, status FROM webhook_deliveries ORDER BY id`.execute(store.db);
    assert.deepEqual(
      rows.rows.map((r) => [r.change_id, r.url, r.status, (JSON.parse(r.body) as { change: string }).change]),
      [
        ['change-1', HOOKS[0], 'pending', 'opened'],
        ['change-1', HOOKS[1], 'pending', 'opened'],
        ['change-2', HOOKS[0], 'pending', 'cleared'],
        ['change-2', HOOKS[1], 'pending', 'cleared'],
      ],
    );
  });
});
