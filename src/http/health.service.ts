import { Injectable } from '@nestjs/common';
import { HttpConfig } from './http.config.js';
import { BrokerService } from '#src/broker/broker.service.js';
import { ConsumerStatus } from '#src/ingestion/transport/consumer-status.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { ProcessRoles } from '#src/config/process-roles.js';
import { postgresCheck } from './health-postgres.check.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { TelemetryWriter } from '#src/telemetry/telemetry.ports.js';

export type CheckStatus = 'up' | 'degraded' | 'down';

export interface HealthReport {
  status: CheckStatus;
  checks: Record<string, { status: CheckStatus; detail?: string }>;
}

/** Readiness of each part; the worst check is the overall status. */
@Injectable()
export class HealthService {
  constructor(
    private readonly config: HttpConfig,
    private readonly roles: ProcessRoles,
    private readonly broker: BrokerService,
    private readonly consumer: ConsumerStatus,
    private readonly sqlite: SqliteDatabase,
    private readonly store: OperationalDatabase,
    private readonly telemetry: TelemetryWriter,
  ) {}

  async report(): Promise<HealthReport> {
    const checks: HealthReport['checks'] = {};
    if (this.config.BROKER_EMBEDDED && this.roles.has('edge')) {
      checks.broker = this.broker.isListening()
        ? { status: 'up', detail: `listening on ${this.broker.port()}` }
        : { status: 'down', detail: 'not listening' };
    }
    if (this.roles.has('processor'))
      checks.consumer =
        this.consumer.state === 'connected'
          ? { status: 'up' }
          : {
              status: 'down',
              detail: `${this.consumer.state} since ${new Date(this.consumer.since).toISOString()}`,
            };
    checks.sqlite = this.sqlite.isHealthy() ? { status: 'up' } : { status: 'down', detail: 'no answer' };
    const postgres = await postgresCheck(this.store);
    if (postgres !== undefined) checks.postgres = postgres;
    checks.timeseries = this.telemetry.health();
    const all = Object.values(checks).map((c) => c.status);
    const status: CheckStatus = all.includes('down') ? 'down' : all.includes('degraded') ? 'degraded' : 'up';
    return { status, checks };
  }
}
