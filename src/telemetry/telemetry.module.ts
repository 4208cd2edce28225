import { DynamicModule, Module } from '@nestjs/common';
import type { DeploymentSettings } from '#src/config/deployment.config.js';
import { EmbeddedTelemetryReader } from './embedded/embedded-telemetry.reader.js';
import { EmbeddedTelemetryWriter } from './embedded/embedded-telemetry.writer.js';
import { TelemetryDatabase } from './embedded/telemetry-database.js';
import type { InfluxSettings } from './influx/influx.config.js';
import { InfluxTelemetryModule } from './influx/influx-telemetry.module.js';
import { PostgresTelemetryModule } from './postgres/postgres-telemetry.module.js';
import { TelemetryReader, TelemetryWriter } from './telemetry.ports.js';
import { configSliceProvider } from '#src/config/config-slice.js';
import { EmbeddedTelemetryConfig } from './telemetry.config.js';

/** The embedded SQLite store behind the telemetry ports (its own file, telemetry.sqlite). */
@Module({
  providers: [
    configSliceProvider(EmbeddedTelemetryConfig),
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
  static forRoot(
    config: Pick<InfluxSettings, 'INFLUX_URL'> & Pick<DeploymentSettings, 'DATABASE_URL'>,
  ): DynamicModule {
    const adapter =
      config.INFLUX_URL !== undefined
        ? InfluxTelemetryModule
        : config.DATABASE_URL !== undefined
          ? PostgresTelemetryModule
          : EmbeddedTelemetryModule;
    return { module: TelemetryModule, global: true, imports: [adapter], exports: [adapter] };
  }
}
