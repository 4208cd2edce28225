import { Injectable } from '@nestjs/common';
import type { OfflineRule } from '#src/contracts/rule-definition.js';
import type { ContainerState } from '#src/state/container-state.js';
import { Slot } from '#src/state/container-state.js';
import { ContainerStates } from '#src/state/container-states.port.js';
import type { RuleState } from '#src/state/rule-state.js';
import {
  isQuietOfflineLiteral,
  packRuleState,
  repackRuleState,
  unpackRuleState,
  type PackedRuleState,
} from '#src/state/rule-state.packing.js';
import { advanceQuietWatch, type LastSeenByKey } from './evaluators/offline.evaluator.js';

/**
 * One container's rule states, by state key, as the rule engine reads and writes them. A view
 * over the packed entries of its {@link ContainerState}: `get` hands out a state the caller may
 * keep, `set` replaces it.
 */
export class ContainerRuleStates {
  constructor(private readonly state: ContainerState) {}

  get(key: string): RuleState | undefined {
    const entries = this.state.rules;
    for (let i = 0; i < entries.length; i += 2)
      if (entries[i] === key) return unpackRuleState(entries[i + 1] as PackedRuleState);
    return undefined;
  }

  /** Replaces the state of `key`; a state `get` handed out for that key may change with it. */
  set(key: string, state: RuleState): void {
    const entries = this.state.rules;
    for (let i = 0; i < entries.length; i += 2) {
      if (entries[i] === key) {
        entries[i + 1] = repackRuleState(entries[i + 1] as PackedRuleState, state);
        return;
      }
    }
    // A new array of the exact size (one grown by push keeps room for 17); concat spreads one level.
    this.state.rules = entries.concat([key, packRuleState(state)]);
  }

  get size(): number {
    return this.state.rules.length / 2;
  }

  *[Symbol.iterator](): IterableIterator<[string, RuleState]> {
    const entries = this.state.rules;
    for (let i = 0; i < entries.length; i += 2)
      yield [entries[i] as string, unpackRuleState(entries[i + 1] as PackedRuleState)];
  }
}

/**
 * Rule state per container, as the rule engine uses it: a view over the rules part of each
 * container's {@link ContainerState}, which {@link ContainerStates} holds and stores. A rule that
 * just concluded something has its container's rule states written at once (so a replay after a
 * crash neither raises its alert again nor misses it); others are written behind at each state
 * checkpoint, and only while not quiet (an excursion under way, a burst, time counted), plus once
 * when they turn quiet: the common case, every rule idle, costs no write at all (it was the
 * largest cost of the ingestion path at 15,000 readings/s).
 *
 * Memory (issue 11): per container one flat array of keys and packed states
 * ({@link packRuleState}: an idle excursion is one number, a frame-loss window an array of doubles).
 */
@Injectable()
export class RuleStateStore {
  private effectsStored?: () => Promise<void> | undefined;

  constructor(private readonly states: ContainerStates) {}

  /** The container's rule states (those stored were loaded at start). */
  of(containerId: string): ContainerRuleStates {
    return new ContainerRuleStates(this.states.obtain(containerId));
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
    const entries = this.states.get(containerId)?.rules;
    if (entries === undefined) return false;
    for (let i = 0; i < entries.length; i += 2) {
      if (entries[i] !== key) continue;
      const held = entries[i + 1] as PackedRuleState;
      return isQuietOfflineLiteral(held) && advanceQuietWatch(rule, held, lastSeenByKey, nowMs);
    }
    return false;
  }

  changed(containerId: string): void {
    const state = this.states.get(containerId);
    if (state !== undefined) this.states.changed(state, Slot.Rules);
  }

  /**
   * Cluster mode: the alert changes a conclusion recorded are written to PostgreSQL behind it,
   * kept meanwhile in this node's own outbox; `stored` says when they are in PostgreSQL
   * (undefined: they are already). A state written before them, its processor killed for good,
   * would tell the partition's next owner that an alert is raised that PostgreSQL never got.
   */
  writeAfter(stored: () => Promise<void> | undefined): void {
    this.effectsStored = stored;
  }

  /**
   * Writes the container's rule states now: one of them just concluded something, so the alert
   * and the state that raised it survive a crash together (the state after the alert:
   * {@link writeAfter}). `keys` (those that concluded) says there is something to write.
   */
  persistNow(containerId: string, keys: readonly string[]): void {
    const state = this.states.get(containerId);
    if (state === undefined || keys.length === 0) return;
    const stored = this.effectsStored?.();
    if (stored === undefined) this.states.writeNow(state, Slot.Rules);
    // Released meanwhile (its partition given or lost), the state is no longer this node's to write.
    else
      void stored.then(
        () => this.states.get(containerId) === state && this.states.writeNow(state, Slot.Rules),
      );
  }

  /** Writes every changed state now, in one transaction (tests). */
  persist(): void {
    this.states.flush();
  }
}
