import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Reading } from '#src/contracts/reading.js';
import type { ContainerLastSeen } from '#src/fleet/fleet.types.js';
import { RulesConfig } from './rules.config.js';
import { backgroundPause } from '#src/common/background-pause.js';
import { Clock } from '#src/common/clock.js';
import { DomainEvents } from '#src/common/events/domain-events.js';
import { Metrics } from '#src/common/metrics.js';
import { LiveStateService } from '#src/fleet/live-state.service.js';
import { PartitionOwnership } from '#src/partitions/partition-ownership.js';
import { evaluateRule } from './evaluators/evaluate-rule.js';
import { evaluateOffline, offlineDueAt, offlineLimitMs } from './evaluators/offline.evaluator.js';
import { EVERY_TICK, NEVER, OfflineTickSchedule } from './offline-tick.schedule.js';
import type { OfflineRule, RuleDefinition, RuleOutcome } from '#src/contracts/rule-definition.js';
import type { RuleState } from '#src/state/rule-state.js';
import { RuleSetSource } from './rule-set.source.js';
import { isQuiet } from '#src/state/rule-state.packing.js';
import { RuleStateStore, type ContainerRuleStates } from './rule-state.store.js';

/** Synchronous work of one slice of the offline tick, ms: what ingestion and REST wait behind it. */
const TICK_SLICE_MS = 4;
/** Containers of shipment writes between two ticks past which the next tick walks the whole fleet. */
const TOUCHED_WALK_ALL = 10_000;

/**
 * Runs the rules: every accepted reading is judged (`ReadingProcessor` calls {@link evaluate}), per container in measuredAt order, by each
 * rule of the container's rule set (pure evaluators, persisted state); offline rules also run on
 * a timer (RULES_TICK_MS, or `tick()` from tests driving a manual clock). Conclusions are emitted
 * as `rule.concluded` events (common/events/event-map.ts); the alerts module turns them into alerts.
 */
@Injectable()
export class RuleEngine implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(RuleEngine.name);
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  private readonly outcomes;
  private readonly evaluationSeconds;
  private readonly evaluatedContainers;
  private readonly schedule: OfflineTickSchedule;
  /** The partitions owned at the last tick (`all` on one node): a change walks the whole fleet. */
  private walkedOwnership = '';

  constructor(
    private readonly source: RuleSetSource,
    private readonly store: RuleStateStore,
    private readonly events: DomainEvents,
    private readonly liveState: LiveStateService,
    private readonly clock: Clock,
    private readonly config: RulesConfig,
    metrics: Metrics,
    // The tick concludes for the containers of this processor's partitions only: in cluster
    // mode another processor owns the rest (and a partition given away leaves its states here).
    private readonly ownership: PartitionOwnership = PartitionOwnership.all(1),
  ) {
    this.outcomes = metrics.counter('convoi_rule_outcomes_total', 'Rule conclusions, by kind', ['kind']);
    this.evaluationSeconds = metrics.histogram(
      'convoi_rule_tick_seconds',
      'Time to evaluate the time-driven rules of the whole fleet',
      [0.001, 0.01, 0.1, 0.5, 1, 5],
    );
    this.evaluatedContainers = metrics.counter(
      'convoi_rule_tick_containers_total',
      'Containers whose time-driven rules the offline tick evaluated (those due, not the whole fleet)',
    );
    this.schedule = new OfflineTickSchedule(config.RULES_TICK_MS, TOUCHED_WALK_ALL);
    // New rules may be stricter than those a container was scheduled with: it is looked at again
    // (the whole fleet after a profile change or a reload of every shipment). A chain dispatching
    // writes several shipments a second: a whole walk for each would cost more than before.
    events.on('shipments.active-changed', ({ containerIds }) => {
      if (containerIds === undefined) this.schedule.walkAllNext();
      else for (const containerId of containerIds) this.schedule.touch(containerId);
    });
    events.on('profile.changed', () => this.schedule.walkAllNext());
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.tick(), this.config.RULES_TICK_MS);
    this.timer.unref();
  }

  /**
   * Judges readings; a batch is split per container and ordered by measuredAt. Each reading
   * schedules its container's offline tick; if judging fails, the containers not reached are
   * not, and the next tick walks the whole fleet instead.
   */
  evaluate(readings: readonly Reading[]): void {
    try {
      if (readings.length === 1) {
        this.evaluateOne(readings[0]);
        return;
      }
      for (const reading of [...readings].sort((a, b) => a.measuredAt - b.measuredAt))
        this.evaluateOne(reading);
    } catch (err) {
      this.schedule.walkAllNext();
      throw err;
    }
  }

  /**
   * Evaluates the time-driven (offline) rules, at `clock.now()`, of every container that may
   * conclude something: those due ({@link OfflineTickSchedule}), with an offline alert out, or
   * whose shipment was written since the last tick (a reading schedules its container itself);
   * the whole fleet when the schedule may be stale (first tick, partitions taken, changed profile,
   * every shipment reloaded, shipment writes for more than {@link TOUCHED_WALK_ALL} containers, a
   * failed tick or judgement). A container new to the live state needs no walk: its first reading
   * scheduled it (the fleet's size was compared at every tick before, and a fleet still reporting
   * for the first time, as in the bench, walked whole at every tick). The walk goes in
   * slices of about {@link TICK_SLICE_MS} ms, background pauses in between: at 150,000 containers
   * one synchronous pass held ingestion and REST for hundreds of milliseconds every tick. A tick
   * still running when the next is due is not doubled.
   */
  tick(): Promise<void> {
    this.ticking ??= this.walkFleet().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async walkFleet(): Promise<void> {
    const end = this.evaluationSeconds.startTimer();
    const now = this.clock.now();
    let n = 0;
    try {
      let sliceStart = performance.now();
      // Partitions taken since the last tick: their containers are not scheduled (skipped below).
      const owned = this.ownership.ownsAll ? 'all' : this.ownership.owned().join(',');
      if (owned !== this.walkedOwnership) this.schedule.walkAllNext();
      this.walkedOwnership = owned;
      const walk = this.schedule.takeWalk();
      const containers =
        walk === 'due' ? this.lastSeenOf(this.schedule.takeDue(now)) : this.liveState.lastSeenAll();
      for (const live of containers) {
        if (!this.ownership.ownsAll && !this.ownership.owns(this.ownership.partitionOf(live.containerId))) {
          this.schedule.forget(live.containerId);
          continue;
        }
        const dueAt = this.tickOne(live, now);
        this.schedule.schedule(live.containerId, dueAt, now);
        if ((++n & 127) === 0 && performance.now() - sliceStart > TICK_SLICE_MS) {
          await backgroundPause(performance.now() - sliceStart);
          sliceStart = performance.now();
        }
      }
    } catch (err) {
      // The containers taken from the schedule and not reached are scheduled again by a whole walk.
      this.schedule.walkAllNext();
      this.logger.error({ err }, 'Offline rules tick failed');
    } finally {
      this.evaluatedContainers.inc(n);
      end();
    }
  }

  /** The live state of the containers, as the whole-fleet walk reads it; those gone are forgotten. */
  private *lastSeenOf(containerIds: Iterable<string>): IterableIterator<ContainerLastSeen> {
    for (const containerId of containerIds) {
      const live = this.liveState.get(containerId);
      if (live === undefined) {
        this.schedule.forget(containerId);
        continue;
      }
      const lastSeen: ContainerLastSeen['lastSeen'] = {};
      for (const [key, value] of Object.entries(live.values))
        lastSeen[key as keyof typeof lastSeen] = value.measuredAt;
      yield { containerId, shipmentId: live.shipmentId, lastDeviceId: live.lastDeviceId, lastSeen };
    }
  }

  /**
   * Evaluates the container's offline rules at `now`; returns when it is next due: the earliest
   * time one of its quiet watches may raise, {@link EVERY_TICK} with an alert out (its severity
   * escalates with time), {@link NEVER} without offline rules.
   */
  private tickOne(live: ContainerLastSeen, now: number): number {
    const rules = this.source.rulesFor(live.containerId, live.shipmentId);
    let states: ContainerRuleStates | undefined;
    let dueAt = NEVER;
    for (const rule of rules) {
      if (rule.kind !== 'offline') continue;
      const key = stateKey(live.shipmentId, rule);
      if (this.store.advanceQuiet(live.containerId, key, rule, live.lastSeen, now)) {
        // Seen in the live state: no later than the watch's own due time (it keeps the newest).
        const seenDue = offlineDueAt(rule, live.lastSeen);
        dueAt = Math.min(dueAt, seenDue ?? this.watchDueAt(live.containerId, key, rule));
        continue;
      }
      states ??= this.store.of(live.containerId);
      const found = states.get(key);
      const prior = found?.type === 'offline' ? found : undefined;
      const { outcome, state } = evaluateOffline(rule, prior, live.lastSeen, now);
      const busy = writtenBehind(prior, state); // before `set`: it may overwrite the prior in place
      states.set(key, state);
      dueAt = Math.min(dueAt, offlineStateDueAt(rule, state)); // NaN (every tick): Math.min keeps it
      if (this.conclude(live.containerId, live.shipmentId, live.lastDeviceId, rule, outcome))
        this.store.persistNow(live.containerId, [key]);
      else if (busy) this.store.changed(live.containerId);
    }
    return dueAt;
  }

  /** Due time of a quiet watch whose key the live state has not seen: from when it started watching. */
  private watchDueAt(containerId: string, key: string, rule: OfflineRule): number {
    return offlineStateDueAt(rule, this.store.of(containerId).get(key));
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking; // its last conclusions are stored before the stores close
  }

  private evaluateOne(reading: Reading): void {
    const rules = this.source.rulesFor(reading.containerId, reading.shipmentId);
    const states = this.store.of(reading.containerId);
    let concluded: string[] | undefined;
    let busy = false;
    let offlineDueAt = NEVER;
    for (const rule of rules) {
      const key = stateKey(reading.shipmentId, rule);
      const prior = states.get(key);
      const { outcome, state } = evaluateRule(rule, prior, reading);
      if (state !== undefined) {
        busy ||= writtenBehind(prior, state); // before `set`: it may overwrite the prior in place
        states.set(key, state);
      }
      if (rule.kind === 'offline') offlineDueAt = Math.min(offlineDueAt, offlineStateDueAt(rule, state));
      if (this.conclude(reading.containerId, reading.shipmentId, reading.deviceId, rule, outcome))
        (concluded ??= []).push(key);
    }
    // The offline watches just evaluated, with the rules of the reading's shipment (perhaps a new
    // one), say when the tick must look at the container: no later than a tick at receivedAt would.
    this.schedule.schedule(reading.containerId, offlineDueAt, reading.receivedAt);
    if (concluded) this.store.persistNow(reading.containerId, concluded);
    // A container whose rules all stay idle (nearly every reading) is not even marked.
    else if (busy) this.store.changed(reading.containerId);
  }

  private conclude(
    containerId: string,
    shipmentId: string | undefined,
    deviceId: string,
    rule: RuleDefinition,
    outcome: RuleOutcome,
  ): boolean {
    if (outcome.kind === 'none') return false;
    this.outcomes.inc({ kind: outcome.kind });
    try {
      this.events.emit('rule.concluded', { containerId, shipmentId, deviceId, rule, outcome });
    } catch (err) {
      this.logger.error(
        { containerId, shipmentId, deviceId, ruleId: rule.id, outcome: outcome.kind, err },
        'Handling a rule outcome failed',
      );
    }
    return true;
  }
}

/**
 * When an offline watch's tick may conclude next: {@link EVERY_TICK} with its alert out (the
 * severity escalates) or when it has no state yet, else its last sighting (or start) + the limit.
 */
function offlineStateDueAt(rule: OfflineRule, state: RuleState | undefined): number {
  if (state?.type !== 'offline' || state.offlineSince !== undefined) return EVERY_TICK;
  return (state.lastSeen ?? state.watchSince) + offlineLimitMs(rule);
}

/**
 * Whether a state change is one the write-behind stores: a state that is busy, or that just
 * turned quiet. One that was and stays quiet is never written (it equals a fresh one).
 */
function writtenBehind(prior: RuleState | undefined, state: RuleState): boolean {
  return !isQuiet(state) || (prior !== undefined && !isQuiet(prior));
}

/**
 * Rule state is kept per shipment: a new shipment of the container starts every rule afresh (a
 * cumulative budget is the shipment's own, ARCHITECTURE.md §6).
 */
function stateKey(shipmentId: string | undefined, rule: RuleDefinition): string {
  return shipmentId === undefined ? rule.id : `${shipmentId}/${rule.id}`;
}
