/** Counters the publisher keeps while it runs. */
export interface PublishStats {
  connected: number;
  sent: number;
  errors: number;
  /** Simulated time reached, ms since the simulated start. */
  simElapsedMs: number;
  /** Wall time since the start, ms. */
  wallElapsedMs: number;
  /** The first error, for the summary. */
  firstError?: string;
}

export interface ProgressSink {
  isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * One live status line on a terminal, rewritten in place about once a second; nothing at all
 * when the output is not a TTY (logs, pipes, CI), where only the final summary is printed.
 */
export class ProgressDisplay {
  private lastSent = 0;
  private lastWallMs = 0;
  private rate = 0;

  constructor(
    private readonly out: ProgressSink,
    private readonly live = out.isTTY === true,
  ) {}

  update(stats: PublishStats): void {
    const dt = stats.wallElapsedMs - this.lastWallMs;
    if (dt >= 500) {
      this.rate = ((stats.sent - this.lastSent) * 1000) / dt;
      this.lastSent = stats.sent;
      this.lastWallMs = stats.wallElapsedMs;
    }
    if (!this.live) return;
    const line =
      `devices ${stats.connected} connected | sent ${stats.sent} (${this.rate.toFixed(0)}/s) | ` +
      `errors ${stats.errors} | sim +${clock(stats.simElapsedMs)} | elapsed ${clock(stats.wallElapsedMs)}`;
    this.out.write(`\r\x1b[2K${line}`);
  }

  finish(stats: PublishStats, reason: 'done' | 'interrupted'): void {
    if (this.live) this.out.write('\r\x1b[2K');
    const perSecond = stats.wallElapsedMs > 0 ? (stats.sent * 1000) / stats.wallElapsedMs : 0;
    this.out.write(
      `${reason === 'interrupted' ? 'stopped' : 'done'}: ${stats.sent} messages sent ` +
        `(${perSecond.toFixed(0)}/s), ${stats.errors} errors, ${stats.connected} devices connected, ` +
        `simulated ${clock(stats.simElapsedMs)} in ${clock(stats.wallElapsedMs)}` +
        (stats.firstError ? `; first error: ${stats.firstError}` : '') +
        '\n',
    );
  }
}

/** hh:mm:ss */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}
