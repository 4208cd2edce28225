import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Metrics } from '#src/common/metrics.js';
import { JobLeases } from './job-leases.js';
import { LeasesConfig } from './leases.config.js';

describe(JobLeases.name, () => {
  it('holds every job on SQLite (no DATABASE_URL), one lease per name, and says so in the gauge', async () => {
    const metrics = new Metrics();
    const leases = new JobLeases(new LeasesConfig({ DATABASE_URL: undefined }), metrics);
    const purge = await leases.lease('retention-purge');
    assert.equal(purge.isHeld(), true);
    assert.equal(await leases.lease('retention-purge'), purge);
    assert.match(await metrics.registry.metrics(), /convoi_singleton_held\{job="retention-purge"\} 1\b/);
    await leases.onApplicationShutdown();
  });
});
