import { Injectable } from '@nestjs/common';
import { Clock } from '#src/common/clock.js';
import { DomainError } from '#src/common/domain-error.js';
import { TelemetryReader, type AggregateRow, type HistoryRow } from '#src/telemetry/telemetry.ports.js';
import { ContainersService } from './containers.service.js';
import {
  MAX_BUCKETS,
  MAX_EVERY_MS,
  MAX_RANGE_MS,
  MIN_EVERY_MS,
  everyToMs,
  type ReadingsQueryDto,
} from './dto/readings-query.dto.js';

export type ReadingsResult =
  | { containerId: string; from: string; to: string; items: HistoryRow[] }
  | { containerId: string; from: string; to: string; every: string; fn: string; items: AggregateRow[] };

/** A container's history, raw or aggregated, within bounded ranges. */
@Injectable()
export class ContainerReadingsService {
  constructor(
    private readonly containers: ContainersService,
    private readonly reader: TelemetryReader,
    private readonly clock: Clock,
  ) {}

  async query(containerId: string, q: ReadingsQueryDto): Promise<ReadingsResult> {
    await this.containers.require(containerId);
    const to = q.to !== undefined ? Date.parse(q.to) : this.clock.now();
    const from = q.from !== undefined ? Date.parse(q.from) : to - 86_400_000;
    if (!(from < to)) throw new DomainError('invalid', 'fleet.bad-range', '`from` must be before `to`');
    if (to - from > MAX_RANGE_MS) {
      throw new DomainError('invalid', 'fleet.range-too-long', 'the range may not exceed 400 days');
    }
    const range = { containerId, from: new Date(from).toISOString(), to: new Date(to).toISOString() };
    if (q.every === undefined) {
      if (q.fn !== undefined)
        throw new DomainError('invalid', 'fleet.fn-without-every', '`fn` needs `every`');
      const items = await this.reader.history({ containerId, from, to, limit: q.limit });
      return { ...range, items };
    }
    const everyMs = everyToMs(q.every);
    if (everyMs < MIN_EVERY_MS || everyMs > MAX_EVERY_MS) {
      throw new DomainError('invalid', 'fleet.bad-every', '`every` must be between 1m and 1d');
    }
    if ((to - from) / everyMs > MAX_BUCKETS) {
      throw new DomainError(
        'invalid',
        'fleet.too-many-buckets',
        `range / every may not exceed ${MAX_BUCKETS} buckets`,
      );
    }
    const fn = q.fn ?? 'mean';
    const items = await this.reader.aggregate({ containerId, from, to, limit: q.limit, everyMs, fn });
    return { ...range, every: q.every, fn, items };
  }
}
