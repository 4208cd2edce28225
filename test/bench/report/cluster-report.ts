import type { ClusterResult, ClusterRun } from '../scenarios/cluster.scenario.js';
import type { PipelineReport } from './pipeline-report.js';
import type { TargetCheck } from './targets.js';

/** What a run's readings cost every process: convoi's, nats-server and PostgreSQL, µs each. */
const totalUs = (run: ClusterRun): number =>
  Math.round(10 * (run.cpuUsPerReading.convoi + run.cpuUsPerReading.nats + run.cpuUsPerReading.postgres)) /
  10;

/**
 * The cluster target (issue "Cluster mode"): CPU per stored reading across all nodes, an edge and
 * one processor on the log, at most 1.5 × one node's, in the same run; and the failover within 10 s.
 */
export function clusterTargets(report: PipelineReport): TargetCheck[] {
  const cluster = report.scenarios.cluster as ClusterResult | undefined;
  const single = cluster?.runs.find((r) => r.layout === 'one node');
  const one = cluster?.runs.find((r) => r.layout.startsWith('edge + 1 '));
  const cost: TargetCheck = {
    name: 'cluster: CPU per stored reading across all processes, edge + 1 processor vs one node (same run)',
    goal: '≤ 1.5 ×',
    measured: 'not run',
  };
  const failed = { name: 'cluster failover', goal: '≤ 10 s', measured: 'not run' };
  if (!cluster || !single || !one) return [cost, failed];
  const ratio = Math.round((100 * totalUs(one)) / Math.max(0.1, totalUs(single))) / 100;
  const { failover } = cluster;
  const costCheck = {
    ...cost,
    measured: `one node ${totalUs(single)} µs, cluster ${totalUs(one)} µs per reading (${ratio} ×)`,
    holds: ratio <= 1.5,
  };
  if (!failover) return [costCheck, failed];
  return [
    costCheck,
    {
      name: 'cluster failover: a processor killed, its partitions owned again; acknowledged readings stored',
      goal: '≤ 10 s, none lost',
      measured: `${failover.takeoverMs} ms; ${failover.stored} stored of ${failover.acknowledged} acknowledged`,
      holds:
        failover.takeoverMs >= 0 && failover.takeoverMs <= 10_000 && failover.stored >= failover.acknowledged,
    },
  ];
}

/** The cluster's runs: each layout's rate and cost per reading. */
export function clusterSection(report: PipelineReport): string[] {
  const cluster = report.scenarios.cluster as ClusterResult | undefined;
  if (!cluster) return [];
  const rows = cluster.runs.map(
    (r) =>
      `| ${r.layout} | ${r.stored} | ${r.seconds} | ${r.storedPerS} | ${r.cpuUsPerReading.convoi} (${byRole(r)}) | ` +
      `${r.cpuUsPerReading.nats} | ${r.cpuUsPerReading.postgres} | ${totalUs(r)} | ${Math.round(1e6 / Math.max(1, totalUs(r)))} | ` +
      `${r.logMessages ? Math.round((10 * r.stored) / r.logMessages) / 10 : '-'} |`,
  );
  return [
    '### Cluster on this machine (one PostgreSQL, one nats-server; every process shares the 2 cores)',
    '',
    '| layout | stored | s | stored/s | convoi µs/reading (by role) | nats µs | postgres µs | total µs | readings/s per core | readings per log message |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    ...(cluster.failover
      ? [
          `Failover (${cluster.failover.layout}): partitions owned again ${cluster.failover.takeoverMs} ms after the kill; ` +
            `${cluster.failover.stored} readings stored of ${cluster.failover.acknowledged} acknowledged.`,
          '',
        ]
      : []),
  ];
}

/** A run's convoi µs per reading by role, e.g. `edge 21.3, processor 14.2, api 0.4`. */
const byRole = (run: ClusterRun): string =>
  Object.entries(run.convoiUsByRole ?? {})
    .map(([role, us]) => `${role} ${us}`)
    .join(', ');
