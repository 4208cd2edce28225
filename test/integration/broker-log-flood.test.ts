// Broker client-error lines are limited as ingestion's rejection lines are: a burst of client
// errors (a fuzz run made ~900 lines in two minutes) writes at most LOG_LINES_PER_SECOND lines
// a second, through the real embedded broker on 127.0.0.1.
import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { DeviceCredentialStore } from '#src/broker/auth/device-credential.store.js';
import { INGEST_TOPIC_FILTERS } from '#src/broker/broker-settings.js';
import { EmbeddedBroker } from '#src/broker/embedded-broker.js';
import { DEFAULT_BROKER_LIMITS } from '#src/broker/hardening/broker-limits.js';
import { ManualClock } from '#src/common/clock.js';
import { Metrics } from '#src/common/metrics.js';
import { LOG_LINES_PER_SECOND } from '#src/common/rate-limited.logger.js';
import { defaultConfig } from '#src/app-settings.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { OperationalStoreConfig } from '#src/storage/operational-store.config.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { publishPacket, RawMqttConnection } from '#test/support/mqtt-raw.js';

class LineCapture extends ConsoleLogger {
  readonly lines: string[] = [];
  override log(): void {}
  override debug(): void {}
  override verbose(): void {}
  // Lines as convoi writes them: fields, then the sentence.
  override warn(fields: unknown, message?: unknown): void {
    this.lines.push(`${String(message)} ${JSON.stringify(fields)}`);
  }
  override error(fields: unknown, message?: unknown): void {
    this.lines.push(`${String(message)} ${JSON.stringify(fields)}`);
  }
}

const BURST = 60;

void describe(`${EmbeddedBroker.name} client-error log`, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'convoi-log-flood-'));
  const capture = new LineCapture();
  // Frozen time: the whole burst falls in one second of the limit, however slow the machine.
  const clock = new ManualClock();
  let db: SqliteDatabase;
  let broker: EmbeddedBroker;

  before(async () => {
    db = new SqliteDatabase(defaultConfig({ DATA_DIR: dataDir }));
    const store = new DeviceCredentialStore(
      new OperationalDatabase(new OperationalStoreConfig({ DATABASE_URL: undefined }), db),
      db,
      clock,
    );
    await store.onModuleInit();
    Logger.overrideLogger(capture);
    broker = await EmbeddedBroker.start({
      settings: {
        host: '127.0.0.1',
        port: 0,
        allowAnonymous: true,
        limits: DEFAULT_BROKER_LIMITS,
        platform: { username: 'convoi-platform', password: 'platform-secret-for-tests-only-000000000' },
        ingestFilters: INGEST_TOPIC_FILTERS,
        dataDir,
        inboxHighWater: 1000,
        proxyProtocolFrom: [],
        log: { level: 'warn', format: 'json', colour: false },
      },
      credentials: store,
      metrics: new Metrics(),
      clock,
      ingest: (_topic, _payload, acknowledge) => acknowledge(),
    });
  });
  after(async () => {
    await broker.close();
    Logger.overrideLogger(new ConsoleLogger());
    await db.onApplicationShutdown();
    rmSync(dataDir, { recursive: true, force: true });
  });

  void it(`writes at most ${LOG_LINES_PER_SECOND} lines for a burst of ${BURST} client errors`, async () => {
    for (let i = 0; i < BURST; i++) {
      const connection = await RawMqttConnection.connected(broker.port()!, { clientId: `fuzz ${i}` });
      // $SYS is the broker's own: the publish is refused and Aedes reports a client error.
      await connection.write(publishPacket('$SYS/x', 'boom'));
      assert.equal(await connection.waitForClose(), true);
    }
    const errorLines = () => capture.lines.filter((line) => line.includes('publish not authorized'));
    assert.equal(errorLines().length, LOG_LINES_PER_SECOND);
    clock.advance(1000);
    const last = await RawMqttConnection.connected(broker.port()!, { clientId: 'fuzz last' });
    await last.write(publishPacket('$SYS/x', 'boom'));
    assert.equal(await last.waitForClose(), true);
    assert.ok(
      capture.lines.some((line) =>
        line.startsWith(`${BURST - LOG_LINES_PER_SECOND} more client errors not logged in the last second`),
      ),
      'the left-out lines are summarised',
    );
    assert.equal(errorLines().length, LOG_LINES_PER_SECOND + 1);
  });
});
