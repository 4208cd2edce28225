import { Global, Module } from '@nestjs/common';
import { configSliceProvider } from '#src/config/config-slice.js';
import { JobLeases } from './job-leases.js';
import { LeasesConfig } from './leases.config.js';

/**
 * The singleton jobs' leases, one provider for the app (global: retention, telemetry and the
 * other features with a job that one node runs ask it for their lease).
 */
@Global()
@Module({
  providers: [configSliceProvider(LeasesConfig), JobLeases],
  exports: [JobLeases],
})
export class LeasesModule {}
