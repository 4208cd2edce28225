import { Injectable, OnModuleInit } from '@nestjs/common';
import {
  AggregatorRegistry,
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
  type MetricObjectWithValues,
  type MetricValue,
} from 'prom-client';

/** Metrics kept by another thread of this process (the broker thread), as prom-client JSON. */
export type MetricsSource = () => Promise<MetricObjectWithValues<MetricValue<string>>[]>;

/**
 * The Prometheus registry of one running app. Features create their metrics here (one registry
 * per app instance, so several apps in one test process never collide). Asking twice for the
 * same name returns the same metric. Label values must never hold secrets or free text.
 * The process metrics (CPU, memory, event loop) are collected by the app's instance only, from
 * module init: a registry built by hand (another thread, a test harness) has none of its own.
 */
@Injectable()
export class Metrics implements OnModuleInit {
  readonly registry = new Registry();
  private readonly sources: MetricsSource[] = [];

  onModuleInit(): void {
    collectDefaultMetrics({ register: this.registry, prefix: 'convoi_process_' });
  }

  /** Adds another thread's metrics to every scrape. */
  addSource(source: MetricsSource): void {
    this.sources.push(source);
  }

  /** The Prometheus text exposition of this registry and of every added source. */
  async scrape(): Promise<string> {
    if (this.sources.length === 0) return this.registry.metrics();
    const remote = await Promise.all(this.sources.map((source) => source().catch(() => [])));
    const merged = Registry.merge([this.registry, AggregatorRegistry.aggregate(remote)]);
    return merged.metrics();
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return (
      (this.registry.getSingleMetric(name) as Counter<L> | undefined) ??
      new Counter<L>({ name, help, labelNames, registers: [this.registry] })
    );
  }

  gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    return (
      (this.registry.getSingleMetric(name) as Gauge<L> | undefined) ??
      new Gauge<L>({ name, help, labelNames, registers: [this.registry] })
    );
  }

  histogram<L extends string>(
    name: string,
    help: string,
    buckets: readonly number[],
    labelNames: readonly L[] = [],
  ): Histogram<L> {
    return (
      (this.registry.getSingleMetric(name) as Histogram<L> | undefined) ??
      new Histogram<L>({ name, help, buckets: [...buckets], labelNames, registers: [this.registry] })
    );
  }
}
