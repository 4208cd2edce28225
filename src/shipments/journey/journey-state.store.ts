import { BeforeApplicationShutdown, Injectable, OnModuleInit } from '@nestjs/common';
import { Clock } from '#src/common/clock.js';
import { JourneyEventsRepository } from './journey-events.repository.js';
import type { ContainerJourneyState } from './journey.types.js';

/** How often changed states are written to SQLite. */
const PERSIST_EVERY_MS = 1000;

/** Routine position updates are written behind this often; changes that matter every second. */
const ROUTINE_EVERY_TICKS = 30;

/**
 * Journey trackers' state per container: in memory for the hot path, written behind so a restart
 * resumes the trackers where they were. A state that changed something that matters (a site
 * entered or left, a stop started or ended, a dwell) is written within a second; a routine update
 * (one more fix on the road) within 30 s, since a restart that loses it only resumes the speed
 * averages from an older fix. Everything is written at shutdown.
 */
@Injectable()
export class JourneyStateStore implements OnModuleInit, BeforeApplicationShutdown {
  private readonly states = new Map<string, ContainerJourneyState>();
  private readonly dirty = new Set<string>();
  private readonly routine = new Set<string>();
  private ticks = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly repository: JourneyEventsRepository,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    for (const json of this.repository.loadStates()) {
      const state = JSON.parse(json) as ContainerJourneyState;
      this.states.set(state.containerId, state);
    }
    this.timer = setInterval(() => this.persist(), PERSIST_EVERY_MS);
    this.timer.unref();
  }

  get(containerId: string): ContainerJourneyState | undefined {
    return this.states.get(containerId);
  }

  /** Stores the state; `significant` when the fix changed site, motion phase or dwell. */
  set(state: ContainerJourneyState, significant = true): void {
    this.states.set(state.containerId, state);
    if (significant) this.dirty.add(state.containerId);
    else this.routine.add(state.containerId);
  }

  persist(all = ++this.ticks % ROUTINE_EVERY_TICKS === 0): void {
    if (all) {
      for (const id of this.routine) this.dirty.add(id);
      this.routine.clear();
    }
    if (this.dirty.size === 0 || !this.repository.open) return;
    const batch = [...this.dirty].map((containerId) => ({
      containerId,
      json: JSON.stringify(this.states.get(containerId)),
    }));
    this.dirty.clear();
    this.repository.saveStates(batch, this.clock.now());
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
    this.persist(true);
  }
}
