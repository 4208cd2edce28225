import { Module } from '@nestjs/common';
import { configSliceProvider } from '#src/config/config-slice.js';
import { TelemetryReader, TelemetryWriter } from '../telemetry.ports.js';
import { PostgresTelemetryConfig } from './postgres-telemetry.config.js';
import { PostgresTelemetryMaintenance } from './postgres-telemetry.maintenance.js';
import { PostgresTelemetryReader } from './postgres-telemetry.reader.js';
import { PostgresTelemetryWriter } from './postgres-telemetry.writer.js';

/**
 * Time series in PostgreSQL, the operational store (DATABASE_URL set, INFLUX_URL not): a
 * PostgreSQL-only deployment keeps its history. Needs the global StorageModule and CommonModule.
 */
@Module({
  providers: [
    configSliceProvider(PostgresTelemetryConfig),
    PostgresTelemetryWriter,
    PostgresTelemetryReader,
    PostgresTelemetryMaintenance,
    { provide: TelemetryWriter, useExisting: PostgresTelemetryWriter },
    { provide: TelemetryReader, useExisting: PostgresTelemetryReader },
  ],
  exports: [TelemetryWriter, TelemetryReader, PostgresTelemetryMaintenance],
})
export class PostgresTelemetryModule {}
