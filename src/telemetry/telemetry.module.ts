import { DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '#src/config/app-config.js';
import { EmbeddedTelemetryReader } from './embedded/embedded-telemetry.reader.js';
import { EmbeddedTelemetryWriter } from './embedded/embedded-telemetry.writer.js';
import { TelemetryDatabase } from './embedded/telemetry-database.js';
import { InfluxTelemetryModule } from './influx/influx-telemetry.module.js';
import { PostgresTelemetryModule } from './postgres/postgres-telemetry.module.js';
import { TelemetryReader, TelemetryWriter } from './telemetry.ports.js';

/** The embedded SQLite store behind the telemetry ports (its own file, telemetry.sqlite). */
@Module({
  providers: [
    TelemetryDatabase,
    EmbeddedTelemetryWriter,
    EmbeddedTelemetryReader,
    { provide: TelemetryWriter, useExisting: EmbeddedTelemetryWriter },
    { provide: TelemetryReader, useExisting: EmbeddedTelemetryReader },
  ],
  exports: [TelemetryWriter, TelemetryReader, TelemetryDatabase],
})
export class EmbeddedTelemetryModule {}

/**
 * Time series behind two ports. The adapter is chosen once from configuration: InfluxDB when
 * INFLUX_URL is set, else PostgreSQL when it is the operational store (DATABASE_URL), else the
 * embedded SQLite store (ARCHITECTURE.md §5).
 */
@Module({})
export class TelemetryModule {
  static forRoot(config: AppConfig): DynamicModule {
    const adapter =
      config.INFLUX_URL !== undefined
        ? InfluxTelemetryModule
        : config.DATABASE_URL !== undefined
          ? PostgresTelemetryModule
          : EmbeddedTelemetryModule;
    return { module: TelemetryModule, global: true, imports: [adapter], exports: [adapter] };
  }
}
