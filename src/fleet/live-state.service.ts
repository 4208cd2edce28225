import { BeforeApplicationShutdown, Injectable, OnModuleInit } from '@nestjs/common';
import { MEASUREMENT_KEYS, type Reading } from '#src/contracts/reading.js';
import { Clock } from '#src/common/clock.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import type { ContainerLiveState } from './fleet.types.js';

/** How often changed live states are written to SQLite. */
const PERSIST_EVERY_MS = 1000;

/**
 * Each container's live state, in memory for the hot path and the REST read model, written
 * behind to SQLite (every second and at shutdown) so a restart starts from it.
 * "Latest" is per measurement the newest measuredAt, never the last received: a late frame
 * fills in nothing newer than what is known (DESIGN.md §4).
 */
@Injectable()
export class LiveStateService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly states = new Map<string, ContainerLiveState>();
  private readonly dirty = new Set<string>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly sqlite: SqliteDatabase,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    const rows = this.sqlite.connection
      .prepare<[], { state: string }>('SELECT state FROM container_state')
      .all();
    for (const row of rows) {
      const state = JSON.parse(row.state) as ContainerLiveState;
      this.states.set(state.containerId, state);
    }
    this.timer = setInterval(() => this.persist(), PERSIST_EVERY_MS);
    this.timer.unref();
  }

  get(containerId: string): ContainerLiveState | undefined {
    return this.states.get(containerId);
  }

  /** Drops a deleted container's state (its row is deleted with the container). */
  forget(containerId: string): void {
    this.states.delete(containerId);
    this.dirty.delete(containerId);
  }

  /** Every live state (for fleet-wide timers such as offline rules). */
  all(): IterableIterator<ContainerLiveState> {
    return this.states.values();
  }

  /** Number of containers with a live state. */
  size(): number {
    return this.states.size;
  }

  apply(reading: Reading): void {
    let state = this.states.get(reading.containerId);
    if (!state) {
      state = {
        containerId: reading.containerId,
        lastMeasuredAt: reading.measuredAt,
        lastReceivedAt: reading.receivedAt,
        lastDeviceId: reading.deviceId,
        values: {},
      };
      this.states.set(reading.containerId, state);
    } else if (reading.measuredAt > state.lastMeasuredAt) {
      state.lastMeasuredAt = reading.measuredAt;
      state.lastReceivedAt = reading.receivedAt;
      state.lastDeviceId = reading.deviceId;
    }
    if (reading.measuredAt >= state.lastMeasuredAt) state.shipmentId = reading.shipmentId;
    const values = state.values;
    for (const key of MEASUREMENT_KEYS) {
      const value = reading[key];
      if (value === undefined) continue;
      const current = values[key];
      if (!current || reading.measuredAt >= current.measuredAt) {
        values[key] = { value, measuredAt: reading.measuredAt };
      }
    }
    this.dirty.add(reading.containerId);
  }

  /** Writes every changed state in one transaction. */
  persist(): void {
    if (this.dirty.size === 0 || !this.sqlite.connection.open) return;
    const upsert = this.sqlite.connection.prepare(
      `INSERT INTO container_state (container_id, state, updated_at) VALUES (?, ?, ?)
       ON CONFLICT(container_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    );
    const now = this.clock.now();
    const ids = [...this.dirty];
    this.dirty.clear();
    this.sqlite.connection.transaction(() => {
      for (const id of ids) upsert.run(id, JSON.stringify(this.states.get(id)), now);
    })();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
    this.persist();
  }
}
