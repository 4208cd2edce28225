import { Module } from '@nestjs/common';
import { InfluxRetentionCheck } from './influx-retention.check.js';
import { RetentionPurgeService } from './retention-purge.service.js';

/** Retention (ARCHITECTURE.md §10): the scheduled SQLite purge and the InfluxDB retention check. */
@Module({
  providers: [RetentionPurgeService, InfluxRetentionCheck],
  exports: [RetentionPurgeService, InfluxRetentionCheck],
})
export class RetentionModule {}
