import { Injectable } from '@nestjs/common';

/**
 * The time source of convoi. Inject it instead of calling `Date.now()`, so tests control time
 * (rules, offline timers, retention) without touching the real clock.
 */
@Injectable()
export class Clock {
  /** Current time, epoch milliseconds. */
  now(): number {
    return Date.now();
  }
}

/** A clock tests move by hand. */
export class ManualClock extends Clock {
  constructor(private current = Date.UTC(2026, 10, 22, 8, 0, 0)) {
    super();
  }

  override now(): number {
    return this.current;
  }

  set(epochMs: number): void {
    this.current = epochMs;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
