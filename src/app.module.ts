import { DynamicModule, Module } from '@nestjs/common';
import { BrokerModule } from './broker/broker.module.js';
import { CommonModule } from './common/common.module.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { FleetModule } from './fleet/fleet.module.js';
import { HttpModule } from './http/http.module.js';
import { IngestionModule } from './ingestion/ingestion.module.js';
import { StorageModule } from './storage/storage.module.js';
import { TelemetryModule } from './telemetry/telemetry.module.js';

/** Composition root: wires the feature and infrastructure modules, owns no providers. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        CommonModule,
        StorageModule,
        TelemetryModule.forRoot(config),
        BrokerModule,
        FleetModule,
        IngestionModule,
        HttpModule,
      ],
    };
  }
}
