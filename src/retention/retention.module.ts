import { Module } from '@nestjs/common';
import { AuditModule } from '#src/audit/audit.module.js';
import { InfluxRetentionCheck } from './influx-retention.check.js';
import { RetentionPurgeService } from './retention-purge.service.js';
import { configSliceProvider } from '#src/config/config-slice.js';
import { RetentionConfig } from './retention.config.js';

/** Retention (ARCHITECTURE.md §10): the scheduled purge of every store and the InfluxDB retention check. */
@Module({
  imports: [AuditModule],
  providers: [configSliceProvider(RetentionConfig), RetentionPurgeService, InfluxRetentionCheck],
  exports: [RetentionPurgeService, InfluxRetentionCheck],
})
export class RetentionModule {}
