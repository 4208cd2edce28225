import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Metrics } from '#src/common/metrics.js';
import { alwaysHeld, type JobLease } from './job-lease.js';
import { LeasesConfig } from './leases.config.js';
import { leaseConnect } from './lease-session.js';
import { SingletonLease } from './singleton-lease.js';

/**
 * Hands out the lease of each singleton job by name (ARCHITECTURE.md §9). With `DATABASE_URL`
 * a started {@link SingletonLease} on a PostgreSQL session of its own, one per name however many
 * features ask; without it an always-held lease, since a node on SQLite has no peer. The gauge
 * `convoi_singleton_held{job}` says which jobs this node runs. Shutdown gives every lease up
 * after the jobs have stopped (a global module's hooks run after the features').
 */
@Injectable()
export class JobLeases implements OnApplicationShutdown {
  private readonly leases = new Map<string, Promise<JobLease>>();
  private readonly started: SingletonLease[] = [];
  private readonly held;

  constructor(
    private readonly config: LeasesConfig,
    metrics: Metrics,
  ) {
    this.held = metrics.gauge(
      'convoi_singleton_held',
      'Whether this node runs the singleton job (1) or another node does (0)',
      ['job'],
    );
  }

  /**
   * The lease of job `name`, after a first try for it: a job that asks in its `onModuleInit`
   * knows at its first run whether it is the runner. The retry goes on every second.
   */
  lease(name: string): Promise<JobLease> {
    let lease = this.leases.get(name);
    if (lease === undefined) {
      lease = this.start(name);
      this.leases.set(name, lease);
    }
    return lease;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.started.map((lease) => lease.stop()));
    for (const lease of this.started) this.held.set({ job: lease.name }, 0);
  }

  private async start(name: string): Promise<JobLease> {
    const url = this.config.DATABASE_URL;
    if (url === undefined) {
      this.held.set({ job: name }, 1);
      return alwaysHeld(name);
    }
    this.held.set({ job: name }, 0);
    const lease = new SingletonLease({
      name,
      connect: leaseConnect(url, `convoi-${name}`),
      onAcquired: () => this.held.set({ job: name }, 1),
      onLost: () => this.held.set({ job: name }, 0),
    });
    this.started.push(lease);
    await lease.start();
    return lease;
  }
}
