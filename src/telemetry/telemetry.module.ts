import { DynamicModule, Module, type Type } from '@nestjs/common';
import { AppConfig } from '#src/config/app-config.js';
import { EmbeddedTelemetryReader } from './embedded/embedded-telemetry.reader.js';
import { EmbeddedTelemetryWriter } from './embedded/embedded-telemetry.writer.js';
import { TelemetryReader, TelemetryWriter } from './telemetry.ports.js';

/**
 * Time series behind two ports. The adapter is chosen once from configuration: InfluxDB when
 * INFLUX_URL is set, else the embedded SQLite store (DESIGN.md §5).
 */
@Module({})
export class TelemetryModule {
  static forRoot(config: AppConfig): DynamicModule {
    const adapters = TelemetryModule.adapters(config);
    return {
      module: TelemetryModule,
      global: true,
      providers: [
        adapters.writer,
        adapters.reader,
        { provide: TelemetryWriter, useExisting: adapters.writer },
        { provide: TelemetryReader, useExisting: adapters.reader },
      ],
      exports: [TelemetryWriter, TelemetryReader],
    };
  }

  private static adapters(_config: AppConfig): {
    writer: Type<TelemetryWriter>;
    reader: Type<TelemetryReader>;
  } {
    return { writer: EmbeddedTelemetryWriter, reader: EmbeddedTelemetryReader };
  }
}
