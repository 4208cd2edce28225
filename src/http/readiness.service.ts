import { Injectable } from '@nestjs/common';
import { BrokerService } from '#src/broker/broker.service.js';
import { Clock } from '#src/common/clock.js';
import { HttpConfig } from './http.config.js';
import { IngestInbox } from '#src/ingestion/inbox/ingest-inbox.js';
import { ConsumerStatus } from '#src/ingestion/transport/consumer-status.js';
import { OperationalDatabase } from '#src/storage/operational-database.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { TelemetryWriter } from '#src/telemetry/telemetry.ports.js';
import { ProcessRoles } from '#src/config/process-roles.js';
import { postgresCheck } from './health-postgres.check.js';
import type { CheckStatus, HealthReport } from './health.service.js';

/**
 * Longest a batch handed to the pipeline may wait to be stored before the pipeline counts as
 * stuck, ms. A batch is stored within milliseconds; under a 15,000 readings/s soak the p99 was
 * 4.2 s (docs/PERFORMANCE.md), so 30 s is a pipeline that no longer drains.
 */
export const PIPELINE_STALL_MS = 30_000;

/**
 * Whether this node should be sent devices and requests (Kubernetes readiness): the broker
 * listening, the consumer connected, the pipeline draining, the stores writing (PostgreSQL too when
 * `DATABASE_URL` is set: REST and the features on it fail without it). Any part down
 * makes the node not ready, and the report names it.
 */
@Injectable()
export class ReadinessService {
  constructor(
    private readonly config: HttpConfig,
    private readonly roles: ProcessRoles,
    private readonly broker: BrokerService,
    private readonly consumer: ConsumerStatus,
    private readonly inbox: IngestInbox,
    private readonly sqlite: SqliteDatabase,
    private readonly store: OperationalDatabase,
    private readonly telemetry: TelemetryWriter,
    private readonly clock: Clock,
  ) {}

  async report(): Promise<HealthReport> {
    const checks: HealthReport['checks'] = {};
    if (this.config.BROKER_EMBEDDED && this.roles.has('edge')) {
      checks.broker = this.broker.isListening()
        ? { status: 'up' }
        : { status: 'down', detail: 'MQTT listener not listening' };
    }
    if (this.roles.has('processor'))
      checks.consumer =
        this.consumer.state === 'connected'
          ? { status: 'up' }
          : { status: 'down', detail: this.consumer.state };
    checks.pipeline = this.pipeline();
    checks.sqlite = this.sqlite.isHealthy() ? { status: 'up' } : { status: 'down', detail: 'no answer' };
    const postgres = await postgresCheck(this.store);
    if (postgres !== undefined) checks.postgres = postgres;
    checks.timeseries = this.telemetry.readiness();
    const all = Object.values(checks).map((c) => c.status);
    const status: CheckStatus = all.includes('down') ? 'down' : all.includes('degraded') ? 'degraded' : 'up';
    return { status, checks };
  }

  private pipeline(): { status: CheckStatus; detail?: string } {
    const backlog = this.inbox.backlog();
    if (backlog.oldestSince === undefined) return { status: 'up' };
    const waitingMs = this.clock.now() - backlog.oldestSince;
    const detail = `${backlog.messages} messages in the pipeline, oldest for ${Math.round(waitingMs / 1000)} s`;
    return waitingMs > PIPELINE_STALL_MS ? { status: 'down', detail } : { status: 'up', detail };
  }
}
