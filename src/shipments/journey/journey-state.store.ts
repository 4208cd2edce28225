import { BeforeApplicationShutdown, Injectable, OnModuleInit } from '@nestjs/common';
import { Clock } from '#src/common/clock.js';
import { JourneyEventsRepository } from './journey-events.repository.js';
import type { ContainerJourneyState } from './journey.types.js';

/** How often changed states are written to SQLite. */
const PERSIST_EVERY_MS = 1000;

/**
 * Journey trackers' state per container: in memory for the hot path, written behind (every second
 * and at shutdown, as the live state is) so a restart resumes the trackers where they were.
 */
@Injectable()
export class JourneyStateStore implements OnModuleInit, BeforeApplicationShutdown {
  private readonly states = new Map<string, ContainerJourneyState>();
  private readonly dirty = new Set<string>();
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

  set(state: ContainerJourneyState): void {
    this.states.set(state.containerId, state);
    this.dirty.add(state.containerId);
  }

  persist(): void {
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
    this.persist();
  }
}
