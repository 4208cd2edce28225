import { Logger } from '@nestjs/common';
import { LOCK_SPACE, singletonKey } from './advisory-lock.keys.js';
import { LeaseSession, type LeaseConnect } from './lease-session.js';

export interface SingletonLeaseOptions {
  /** The job's name, the same on every node (`retention-purge`, `webhook-delivery`, ...). */
  name: string;
  /** A new client for this lease's own session. */
  connect: LeaseConnect;
  /** Time between two tries while another node holds the lease, and between two checks of a held one, in ms. */
  retryMs?: number;
  /** Called when this node becomes the job's runner. */
  onAcquired?: () => void;
  /** Called when this node stops being the runner: its session died. */
  onLost?: () => void;
}

/** Default time between two tries for a singleton's lease: a dead runner is replaced within about this. */
export const SINGLETON_RETRY_MS = 1000;

/**
 * The lease of a job that exactly one node runs at a time (ARCHITECTURE.md §9): the session
 * advisory lock `(singleton, hash of the name)`, tried every `retryMs` on a session of its own.
 * The job checks {@link isHeld} before each run (and between slices of a long one): false as
 * soon as the session is known dead, and then another node may be running it already.
 */
export class SingletonLease {
  private readonly logger = new Logger(SingletonLease.name);
  private readonly session: LeaseSession;
  private readonly key: number;
  private held = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly options: SingletonLeaseOptions) {
    this.key = singletonKey(options.name);
    this.session = new LeaseSession(options.connect, (reason) => this.lose(reason));
  }

  get name(): string {
    return this.options.name;
  }

  /** Whether this node is the job's runner now. */
  isHeld(): boolean {
    return this.held && this.session.isOpen;
  }

  /** Makes a first try (awaited), then tries again (or checks the session, once held) every `retryMs`. */
  async start(): Promise<void> {
    this.stopped = false;
    this.running = this.tryOnce();
    await this.running;
  }

  /** Gives the lease up (another node takes it at its next try) and ends the session. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    this.held = false;
    await this.session.close();
  }

  private async tryOnce(): Promise<void> {
    try {
      if (!this.session.isOpen) await this.session.open();
      // Held, a trivial query each turn finds a session that died silently (query timeout).
      if (this.held) await this.session.query('SELECT 1');
      else {
        const [row] = await this.session.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [
          LOCK_SPACE.singleton,
          this.key,
        ]);
        if (row.ok && !this.stopped) {
          this.held = true;
          this.logger.log({ job: this.options.name }, 'Singleton lease acquired');
          this.options.onAcquired?.();
        }
      }
    } catch (error) {
      this.logger.warn(
        { job: this.options.name },
        `Singleton lease: try failed: ${(error as Error).message}`,
      );
    }
    this.schedule();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tryOnce();
    }, this.options.retryMs ?? SINGLETON_RETRY_MS);
    this.timer.unref();
  }

  private lose(reason: string): void {
    const wasHeld = this.held;
    this.held = false;
    this.logger.warn({ job: this.options.name }, `Singleton lease: session lost (${reason})`);
    if (wasHeld) this.options.onLost?.();
    this.schedule();
  }
}
