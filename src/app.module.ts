import { DynamicModule, Module, type ModuleMetadata } from '@nestjs/common';
import { AlertsModule } from './alerts/alerts.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { BrokerModule } from './broker/broker.module.js';
import { CommonModule } from './common/common.module.js';
import type { AppConfig } from './app-settings.js';
import { ConfigModule } from './config/config.module.js';
import { ProcessRoles } from './config/process-roles.js';
import { ClusterProcessorModule } from './cluster/cluster-processor.module.js';
import { EdgeModule } from './edge/edge.module.js';
import { ExportsModule } from './exports/exports.module.js';
import { FleetModule } from './fleet/fleet.module.js';
import { FleetKpisModule } from '#src/journeys/kpis/fleet-kpis.module.js';
import { HttpModule } from './http/http.module.js';
import { IngestionModule } from './ingestion/ingestion.module.js';
import { LeasesModule } from './leases/leases.module.js';
import { ProfilesModule } from '#src/profiles/profiles.module.js';
import { ProcessingModule } from '#src/processing/processing.module.js';
import { RetentionModule } from './retention/retention.module.js';
import { RulesModule } from './rules/rules.module.js';
import { JourneysModule } from '#src/journeys/journeys.module.js';
import { JourneyViewsModule } from '#src/journeys/journey-views.module.js';
import { ShipmentRecordModule } from '#src/records/shipment-record.module.js';
import { ShipmentsModule } from './shipments/shipments.module.js';
import { StorageModule } from './storage/storage.module.js';
import { StateModule } from './state/state.module.js';
import { TelemetryModule } from './telemetry/telemetry.module.js';

/** Composition root: wires the feature and infrastructure modules, owns no providers. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    // Refuses an impossible CONVOI_ROLES (a ConfigError, before anything opens).
    const roles = ProcessRoles.of(config);
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, roles),
        CommonModule,
        StorageModule,
        LeasesModule,
        StateModule,
        TelemetryModule.forRoot(config),
        BrokerModule,
        AuthModule,
        FleetModule,
        ProfilesModule,
        ShipmentsModule,
        IngestionModule,
        RulesModule,
        AlertsModule,
        HttpModule,
        AuditModule,
        RetentionModule,
        ExportsModule,
        JourneysModule,
        JourneyViewsModule,
        ProcessingModule,
        ShipmentRecordModule,
        FleetKpisModule,
        ...clusterModules(roles),
      ],
    };
  }
}

/**
 * What cluster mode adds to a process, by its roles (CONVOI_ROLES with NATS_URL, ARCHITECTURE.md
 * §9): an edge appends to the shared log, a processor reads its leased partitions of it. The
 * feature modules above serve every role (their imports tie them together: alerts publish through
 * the broker module, the health probes read the ingestion module); a role that does not run a
 * part leaves it idle (`config/process-roles.ts`).
 */
function clusterModules(roles: ProcessRoles): NonNullable<ModuleMetadata['imports']> {
  return [...(roles.logEdge ? [EdgeModule] : []), ...(roles.logProcessor ? [ClusterProcessorModule] : [])];
}
