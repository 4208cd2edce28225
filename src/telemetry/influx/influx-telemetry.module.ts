import { Module } from '@nestjs/common';
import { Clock } from '#src/common/clock.js';
import { configSliceProvider } from '#src/config/config-slice.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { InfluxConfig } from './influx.config.js';
import { TelemetryReader, TelemetryWriter } from '../telemetry.ports.js';
import { InfluxOutbox } from './influx-outbox.js';
import { InfluxTelemetryReader } from './influx-telemetry.reader.js';
import { InfluxTelemetryWriter } from './influx-telemetry.writer.js';
import { OutboxController } from './outbox.controller.js';
import { OutboxService } from './outbox.service.js';
import { PostgresInfluxOutbox } from './postgres-influx-outbox.js';
import { SqliteInfluxOutbox } from './sqlite-influx-outbox.js';

/** The outbox in the operational store: PostgreSQL (every node's) with `DATABASE_URL`, else the node's SQLite file. */
function influxOutbox(operational: OperationalDatabase, sqlite: SqliteDatabase, clock: Clock): InfluxOutbox {
  return operational.dialect === 'postgres'
    ? new PostgresInfluxOutbox(operational, clock, sqlite)
    : new SqliteInfluxOutbox(sqlite, clock);
}

/**
 * Time series in InfluxDB (import it instead of the embedded store when INFLUX_URL is set).
 * Needs the global ConfigModule, StorageModule, LeasesModule and CommonModule.
 */
@Module({
  providers: [
    configSliceProvider(InfluxConfig),
    { provide: InfluxOutbox, useFactory: influxOutbox, inject: [OperationalDatabase, SqliteDatabase, Clock] },
    InfluxTelemetryWriter,
    { provide: TelemetryWriter, useExisting: InfluxTelemetryWriter },
    { provide: TelemetryReader, useClass: InfluxTelemetryReader },
    OutboxService,
  ],
  controllers: [OutboxController],
  exports: [TelemetryWriter, TelemetryReader, InfluxTelemetryWriter],
})
export class InfluxTelemetryModule {}
