import { BeforeApplicationShutdown, Injectable, OnModuleInit } from '@nestjs/common';
import type { Statement } from 'better-sqlite3';
import { Clock } from '#src/common/clock.js';
import { backgroundPause } from '#src/common/background-pause.js';
import { takeSome } from '#src/common/take-some.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { StateCheckpoint } from '#src/storage/state-checkpoint.js';
import type { RuleState } from './rule-state.js';
import type { OfflineRule } from '#src/contracts/rule-definition.js';
import { advanceQuietWatch, type LastSeenByKey } from './evaluators/offline.evaluator.js';
import {
  isQuiet,
  isQuietOfflineLiteral,
  packRuleState,
  packedIsQuiet,
  repackRuleState,
  unpackRuleState,
  type PackedRuleState,
} from './rule-state.quiet.js';
import { RULE_STATE_MIGRATIONS } from './rule-state.migrations.js';

/** Containers per transaction of the periodic write-behind (a few ms of work). */
const PERSIST_SLICE_CONTAINERS = 2000;

/** `[key, packed, key, packed, …]`: far smaller than a Map for the two to ten rules a container has. */
type Entries = (string | PackedRuleState)[];

/**
 * One container's rule states, by state key, as the rule engine reads and writes them. A view
 * over the store's packed entries: `get` hands out a state the caller may keep, `set` replaces it.
 */
export class ContainerRuleStates {
  constructor(
    private readonly byContainer: Map<string, Entries>,
    private readonly containerId: string,
    private entries: Entries,
  ) {}

  get(key: string): RuleState | undefined {
    const entries = this.entries;
    for (let i = 0; i < entries.length; i += 2)
      if (entries[i] === key) return unpackRuleState(entries[i + 1] as PackedRuleState);
    return undefined;
  }

  /** Replaces the state of `key`; a state `get` handed out for that key may change with it. */
  set(key: string, state: RuleState): void {
    const entries = this.entries;
    for (let i = 0; i < entries.length; i += 2) {
      if (entries[i] === key) {
        entries[i + 1] = repackRuleState(entries[i + 1] as PackedRuleState, state);
        return;
      }
    }
    // A new array of the exact size (one grown by push keeps room for 17); concat spreads one level.
    this.entries = entries.concat([key, packRuleState(state)]);
    this.byContainer.set(this.containerId, this.entries);
  }

  get size(): number {
    return this.entries.length / 2;
  }

  *[Symbol.iterator](): IterableIterator<[string, RuleState]> {
    for (let i = 0; i < this.entries.length; i += 2)
      yield [this.entries[i] as string, unpackRuleState(this.entries[i + 1] as PackedRuleState)];
  }
}

/**
 * Rule state per container, in memory for evaluation and persisted to SQLite: at once for a
 * rule that just concluded something (so a replay after a crash neither raises its alert again
 * nor misses it), otherwise written behind at each state checkpoint ({@link StateCheckpoint}:
 * what a crash loses of it is replayed from the inbox), and everything at shutdown. Behind
 * the readings, only states that are not quiet (an excursion under way, a burst, time counted)
 * are written, plus a state once when it turns quiet: the common case, every rule idle, then
 * costs no write at all (it was the largest cost of the ingestion path at 15,000 readings/s).
 *
 * Memory (issue 11): per container one flat array of keys and packed states
 * ({@link packRuleState}: an idle excursion is one number, a frame-loss window an array of doubles).
 */
@Injectable()
export class RuleStateStore implements OnModuleInit, BeforeApplicationShutdown {
  private readonly states = new Map<string, Entries>();
  private readonly dirty = new Set<string>();
  /** `container/rule` keys whose stored state is not quiet: they must be written when it turns quiet. */
  private readonly storedBusy = new Set<string>();
  private persisting = false;
  private upsert!: Statement;

  constructor(
    private readonly sqlite: SqliteDatabase,
    private readonly clock: Clock,
    private readonly checkpoint: StateCheckpoint,
  ) {}

  onModuleInit(): void {
    this.sqlite.migrate('rules', RULE_STATE_MIGRATIONS);
    this.upsert = this.sqlite.connection.prepare(
      `INSERT INTO rule_state (container_id, rule_id, state, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(container_id, rule_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    );
    // Every stored state at once: one query at start instead of one per container on its first
    // reading or tick (150,000 of them in the first offline tick after a restart).
    const rows = this.sqlite.connection
      .prepare<[], { container_id: string; rule_id: string; state: string }>(
        'SELECT container_id, rule_id, state FROM rule_state',
      )
      .all();
    for (const row of rows) {
      const entries = this.states.get(row.container_id) ?? [];
      entries.push(row.rule_id, packRuleState(JSON.parse(row.state) as RuleState));
      this.states.set(row.container_id, entries);
    }
    this.checkpoint.register({ writeBehind: () => this.persistInSlices() });
  }

  /** The container's rule states (those stored were loaded at start). */
  of(containerId: string): ContainerRuleStates {
    let entries = this.states.get(containerId);
    if (!entries) {
      entries = [];
      this.states.set(containerId, entries);
    }
    return new ContainerRuleStates(this.states, containerId, entries);
  }

  /**
   * The offline tick's fast path: advances the container's quiet watch of `key` in place
   * ({@link advanceQuietWatch}) and returns true, or returns false (nothing changed) when there
   * is no such watch or it would raise. A quiet watch that stays quiet is not written behind, and
   * the tick reaches every container of the fleet: no view, state or result is built for it.
   */
  advanceQuiet(
    containerId: string,
    key: string,
    rule: OfflineRule,
    lastSeenByKey: LastSeenByKey,
    nowMs: number,
  ): boolean {
    const entries = this.states.get(containerId);
    if (entries === undefined) return false;
    for (let i = 0; i < entries.length; i += 2) {
      if (entries[i] !== key) continue;
      const held = entries[i + 1] as PackedRuleState;
      return isQuietOfflineLiteral(held) && advanceQuietWatch(rule, held, lastSeenByKey, nowMs);
    }
    return false;
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
    const entries = this.states.get(containerId);
    if (!entries || !this.sqlite.connection.open) return;
    const states = new ContainerRuleStates(this.states, containerId, entries);
    const now = this.clock.now();
    for (const key of keys) {
      const state = states.get(key);
      if (!state) continue;
      this.upsert.run(containerId, key, JSON.stringify(state), now);
      if (isQuiet(state)) this.storedBusy.delete(`${containerId}/${key}`);
      else this.storedBusy.add(`${containerId}/${key}`);
    }
  }

  /** Writes the changed states now, in one transaction (tests). */
  persist(): void {
    if (this.dirty.size === 0) return;
    const ids = [...this.dirty];
    this.dirty.clear();
    this.write(ids, false);
  }

  /**
   * The checkpoint's write-behind, {@link PERSIST_SLICE_CONTAINERS} containers per transaction
   * with background pauses in between: at 15,000 readings/s ~15,000 containers change a second.
   */
  private async persistInSlices(): Promise<void> {
    if (this.persisting || this.dirty.size === 0) return;
    this.persisting = true;
    try {
      // Taken from `dirty` a slice at a time: what is not written yet when shutdown comes is
      // still there for it.
      for (let budget = this.dirty.size; budget > 0 && this.dirty.size > 0;) {
        const started = performance.now();
        const ids = takeSome(this.dirty, PERSIST_SLICE_CONTAINERS);
        this.write(ids, false);
        budget -= ids.length;
        if (budget > 0) await backgroundPause(performance.now() - started);
      }
    } finally {
      this.persisting = false;
    }
  }

  beforeApplicationShutdown(): void {
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
        const entries = this.states.get(id);
        if (entries === undefined) continue;
        for (let i = 0; i < entries.length; i += 2) {
          const ruleId = entries[i] as string;
          const packed = entries[i + 1] as PackedRuleState;
          if (packedIsQuiet(packed)) {
            // The common case, every rule idle and none stored busy, builds no key string.
            if (!all && (this.storedBusy.size === 0 || !this.storedBusy.delete(`${id}/${ruleId}`))) continue;
          } else {
            this.storedBusy.add(`${id}/${ruleId}`);
          }
          this.upsert.run(id, ruleId, JSON.stringify(unpackRuleState(packed)), now);
        }
      }
    })();
  }
}
