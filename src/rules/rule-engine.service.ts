import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Reading } from '#src/contracts/reading.js';
import type { ContainerLastSeen } from '#src/fleet/fleet.types.js';
import { RulesConfig } from './rules.config.js';
import { backgroundPause } from '#src/common/background-pause.js';
import { Clock } from '#src/common/clock.js';
import { DomainEvents } from '#src/common/events/domain-events.js';
import { Metrics } from '#src/common/metrics.js';
import { LiveStateService } from '#src/fleet/live-state.service.js';
import { evaluateRule } from './evaluators/evaluate-rule.js';
import { evaluateOffline } from './evaluators/offline.evaluator.js';
import type { RuleDefinition, RuleOutcome } from '#src/contracts/rule-definition.js';
import type { RuleState } from '#src/state/rule-state.js';
import { RuleSetSource } from './rule-set.source.js';
import { isQuiet } from '#src/state/rule-state.packing.js';
import { RuleStateStore, type ContainerRuleStates } from './rule-state.store.js';

/** Synchronous work of one slice of the offline tick, ms: what ingestion and REST wait behind it. */
const TICK_SLICE_MS = 4;

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

  constructor(
    private readonly source: RuleSetSource,
    private readonly store: RuleStateStore,
    private readonly events: DomainEvents,
    private readonly liveState: LiveStateService,
    private readonly clock: Clock,
    private readonly config: RulesConfig,
    metrics: Metrics,
  ) {
    this.outcomes = metrics.counter('convoi_rule_outcomes_total', 'Rule conclusions, by kind', ['kind']);
    this.evaluationSeconds = metrics.histogram(
      'convoi_rule_tick_seconds',
      'Time to evaluate the time-driven rules of the whole fleet',
      [0.001, 0.01, 0.1, 0.5, 1, 5],
    );
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.tick(), this.config.RULES_TICK_MS);
    this.timer.unref();
  }

  /** Judges readings; a batch is split per container and ordered by measuredAt. */
  evaluate(readings: readonly Reading[]): void {
    if (readings.length === 1) {
      this.evaluateOne(readings[0]);
      return;
    }
    for (const reading of [...readings].sort((a, b) => a.measuredAt - b.measuredAt))
      this.evaluateOne(reading);
  }

  /**
   * Evaluates the time-driven (offline) rules of every container with a live state, at
   * `clock.now()`. The fleet is walked in slices of about {@link TICK_SLICE_MS} ms, background
   * pauses in between: at 150,000 containers one synchronous pass held ingestion and REST for
   * hundreds of milliseconds every tick. A tick still running when the next is due is not doubled.
   */
  tick(): Promise<void> {
    this.ticking ??= this.walkFleet().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async walkFleet(): Promise<void> {
    const end = this.evaluationSeconds.startTimer();
    const now = this.clock.now();
    try {
      let sliceStart = performance.now();
      let n = 0;
      for (const live of this.liveState.lastSeenAll()) {
        this.tickOne(live, now);
        if ((++n & 127) === 0 && performance.now() - sliceStart > TICK_SLICE_MS) {
          await backgroundPause(performance.now() - sliceStart);
          sliceStart = performance.now();
        }
      }
    } catch (err) {
      this.logger.error({ err }, 'Offline rules tick failed');
    } finally {
      end();
    }
  }

  private tickOne(live: ContainerLastSeen, now: number): void {
    const rules = this.source.rulesFor(live.containerId, live.shipmentId);
    let states: ContainerRuleStates | undefined;
    for (const rule of rules) {
      if (rule.kind !== 'offline') continue;
      const key = stateKey(live.shipmentId, rule);
      if (this.store.advanceQuiet(live.containerId, key, rule, live.lastSeen, now)) continue;
      states ??= this.store.of(live.containerId);
      const found = states.get(key);
      const prior = found?.type === 'offline' ? found : undefined;
      const { outcome, state } = evaluateOffline(rule, prior, live.lastSeen, now);
      const busy = writtenBehind(prior, state); // before `set`: it may overwrite the prior in place
      states.set(key, state);
      if (this.conclude(live.containerId, live.shipmentId, live.lastDeviceId, rule, outcome))
        this.store.persistNow(live.containerId, [key]);
      else if (busy) this.store.changed(live.containerId);
    }
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
    for (const rule of rules) {
      const key = stateKey(reading.shipmentId, rule);
      const prior = states.get(key);
      const { outcome, state } = evaluateRule(rule, prior, reading);
      if (state !== undefined) {
        busy ||= writtenBehind(prior, state); // before `set`: it may overwrite the prior in place
        states.set(key, state);
      }
      if (this.conclude(reading.containerId, reading.shipmentId, reading.deviceId, rule, outcome))
        (concluded ??= []).push(key);
    }
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
