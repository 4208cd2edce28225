import { BeforeApplicationShutdown, Injectable, OnModuleInit } from '@nestjs/common';
import type { Statement } from 'better-sqlite3';
import { Clock } from '#src/common/clock.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import type { RuleState } from './rule-state.js';
import { isQuiet } from './rule-state.quiet.js';
import { RULE_STATE_MIGRATIONS } from './rule-state.migrations.js';

const PERSIST_EVERY_MS = 1000;

/**
 * Rule state per container, in memory for evaluation and persisted to SQLite: at once for a
 * rule that just concluded something (so a restart neither forgets an alert's excursion nor
 * raises it twice), otherwise written behind every second, and everything at shutdown. Behind
 * the readings, only states that are not quiet (an excursion under way, a burst, time counted)
 * are written, plus a state once when it turns quiet: the common case, every rule idle, then
 * costs no write at all (it was the largest cost of the ingestion path at 15,000 readings/s).
 */
@Injectable()
export class RuleStateStore implements OnModuleInit, BeforeApplicationShutdown {
  private readonly states = new Map<string, Map<string, RuleState>>();
  private readonly dirty = new Set<string>();
  /** `container/rule` keys whose stored state is not quiet: they must be written when it turns quiet. */
  private readonly storedBusy = new Set<string>();
  private timer?: NodeJS.Timeout;
  private upsert!: Statement;
  private load!: Statement<[string], { rule_id: string; state: string }>;

  constructor(
    private readonly sqlite: SqliteDatabase,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.sqlite.migrate('rules', RULE_STATE_MIGRATIONS);
    this.upsert = this.sqlite.connection.prepare(
      `INSERT INTO rule_state (container_id, rule_id, state, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(container_id, rule_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    );
    this.load = this.sqlite.connection.prepare(
      'SELECT rule_id, state FROM rule_state WHERE container_id = ?',
    );
    this.timer = setInterval(() => this.persist(), PERSIST_EVERY_MS);
    this.timer.unref();
  }

  /** The container's rule states (loaded from SQLite on first use). */
  of(containerId: string): Map<string, RuleState> {
    let states = this.states.get(containerId);
    if (!states) {
      states = new Map();
      for (const row of this.load.all(containerId))
        states.set(row.rule_id, JSON.parse(row.state) as RuleState);
      this.states.set(containerId, states);
    }
    return states;
  }

  changed(containerId: string): void {
    this.dirty.add(containerId);
  }

  /**
   * Writes these states of the container now: those whose rule just concluded something, so the
   * alert and the state that raised it survive a crash together. Its other states, changed by
   * the same reading, are written behind.
   */
  persistNow(containerId: string, keys: readonly string[]): void {
    this.dirty.add(containerId);
    const states = this.states.get(containerId);
    if (!states || !this.sqlite.connection.open) return;
    const now = this.clock.now();
    for (const key of keys) {
      const state = states.get(key);
      if (!state) continue;
      this.upsert.run(containerId, key, JSON.stringify(state), now);
      if (isQuiet(state)) this.storedBusy.delete(`${containerId}/${key}`);
      else this.storedBusy.add(`${containerId}/${key}`);
    }
  }

  persist(): void {
    if (this.dirty.size === 0) return;
    const ids = [...this.dirty];
    this.dirty.clear();
    this.write(ids, false);
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
    if (this.dirty.size === 0) return;
    const ids = [...this.dirty];
    this.dirty.clear();
    this.write(ids, true);
  }

  private write(containerIds: readonly string[], all: boolean): void {
    if (!this.sqlite.connection.open) return;
    const now = this.clock.now();
    this.sqlite.connection.transaction(() => {
      for (const id of containerIds) {
        for (const [ruleId, state] of this.states.get(id) ?? []) {
          const key = `${id}/${ruleId}`;
          if (isQuiet(state)) {
            if (!all && !this.storedBusy.delete(key)) continue;
          } else {
            this.storedBusy.add(key);
          }
          this.upsert.run(id, ruleId, JSON.stringify(state), now);
        }
      }
    })();
  }
}
