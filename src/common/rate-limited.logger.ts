import type { LoggerService } from '@nestjs/common';
import type { Clock } from './clock.js';

/** Lines per second a flood may write before the rest are summarised (ingestion rejections, broker client errors). */
export const LOG_LINES_PER_SECOND = 20;

/**
 * Writes at most `linesPerSecond` lines a second to `logger`; past that it counts, and the first
 * line of a later second is preceded by one summary `N more <what> not logged in the last
 * second`. A flood of bad input (a fuzzer, a misconfigured fleet) must not drown the log or
 * spend the process writing it; the counters (`*_rejected_total`) still see every event.
 */
export class RateLimitedLogger {
  private windowStartMs = 0;
  private loggedInWindow = 0;
  private suppressed = 0;

  constructor(
    private readonly logger: Pick<LoggerService, 'warn' | 'debug'>,
    private readonly clock: Clock,
    /** What a line is about, plural, for the summary ("rejections", "client errors"). */
    private readonly what: string,
    private readonly linesPerSecond = LOG_LINES_PER_SECOND,
  ) {}

  /** Fields first, then the sentence, as convoi's pino-backed logger takes them. */
  warn(fields: Record<string, unknown>, message: string): void {
    if (this.admit()) this.logger.warn(fields, message);
  }

  debug(fields: Record<string, unknown>, message: string): void {
    if (this.admit()) this.logger.debug?.(fields, message);
  }

  private admit(): boolean {
    const now = this.clock.now();
    if (now - this.windowStartMs >= 1000) {
      if (this.suppressed > 0)
        this.logger.warn(
          { suppressed: this.suppressed },
          `${this.suppressed} more ${this.what} not logged in the last second`,
        );
      this.windowStartMs = now;
      this.loggedInWindow = 0;
      this.suppressed = 0;
    }
    if (this.loggedInWindow++ < this.linesPerSecond) return true;
    this.suppressed++;
    return false;
  }
}
