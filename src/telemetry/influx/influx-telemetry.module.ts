import { Module } from '@nestjs/common';
import { configSliceProvider } from '#src/config/config-slice.js';
import { InfluxConfig } from './influx.config.js';
import { TelemetryReader, TelemetryWriter } from '../telemetry.ports.js';
import { InfluxTelemetryReader } from './influx-telemetry.reader.js';
import { InfluxTelemetryWriter } from './influx-telemetry.writer.js';
import { OutboxController } from './outbox.controller.js';
import { OutboxService } from './outbox.service.js';

/**
 * Time series in InfluxDB (import it instead of the embedded store when INFLUX_URL is set).
 * Needs the global ConfigModule, StorageModule and CommonModule.
 */
@Module({
  providers: [
    configSliceProvider(InfluxConfig),
    InfluxTelemetryWriter,
    { provide: TelemetryWriter, useExisting: InfluxTelemetryWriter },
    { provide: TelemetryReader, useClass: InfluxTelemetryReader },
    OutboxService,
  ],
  controllers: [OutboxController],
  exports: [TelemetryWriter, TelemetryReader, InfluxTelemetryWriter],
})
export class InfluxTelemetryModule {}
