/** A container with an offline alert out: evaluated at every tick (its severity escalates). */
export const EVERY_TICK = Number.NaN;
/** A container with no offline rule: never evaluated by the tick until something changes. */
export const NEVER = Number.POSITIVE_INFINITY;

/** `everyTick` in {@link OfflineTickSchedule}'s map: not a bucket. */
const EVERY_TICK_BUCKET = -1;

/**
 * Which containers the offline tick must evaluate (issue "The way of a reading": the fleet at
 * rest spent about 1 % of a core walking all 150,000 containers every RULES_TICK_MS to find none
 * due). A quiet watch cannot raise before its container's last reading + the rule's limit, and a
 * reading only moves that time later; so each container is kept in the bucket of the tick at or
 * after which it is due ({@link schedule}), and a tick evaluates the buckets that have come
 * ({@link takeDue}), never later than a walk of the whole fleet would have.
 *
 * What could bring a due time earlier is seen to by the engine: a container that received a
 * reading (its shipment, hence its rules, may have changed) is evaluated at the next tick
 * ({@link touch}); a new container, a changed profile or shipment, or a burst of readings makes
 * the next tick walk the whole fleet again ({@link walkAllNext}), which schedules it afresh.
 *
 * Under heavy traffic (more containers touched between two ticks than `touchedLimit`) nothing is
 * scheduled: every tick walks the whole fleet as it always did, and the schedule, which would be
 * rebuilt at every tick (~15–50 ms of the main thread at 150,000), is dropped until a quieter
 * tick builds it again ({@link takeWalk}).
 *
 * Memory while scheduled: one map entry and one bucket slot per container, ~57 bytes (8.5 MB at
 * 150,000 containers).
 */
/** How a tick goes: the due containers, the whole fleet scheduled afresh, or the whole fleet unscheduled. */
export type TickWalk = 'due' | 'all' | 'all-unscheduled';

export class OfflineTickSchedule {
  /** Bucket index → containers due in it (an entry is stale when {@link bucketOf} moved on). */
  private readonly buckets = new Map<number, string[]>();
  /** The one bucket a container is scheduled in ({@link EVERY_TICK_BUCKET} for every tick). */
  private readonly bucketOf = new Map<string, number>();
  private readonly everyTick = new Set<string>();
  private readonly touched = new Set<string>();
  private walkAll = true;
  /** More containers touched since the last tick than a walk of the whole fleet costs. */
  private busy = false;

  /**
   * @param bucketMs width of a bucket: the tick interval.
   * @param touchedLimit touched containers past which a whole walk is cheaper than lookups.
   */
  constructor(
    private readonly bucketMs: number,
    private readonly touchedLimit: number,
  ) {}

  /** The container's state changed by a reading: evaluate it at the next tick (hot path: cheap). */
  touch(containerId: string): void {
    if (this.busy) return;
    this.touched.add(containerId);
    if (this.touched.size > this.touchedLimit) {
      this.busy = true;
      this.touched.clear();
    }
  }

  /** Something may have brought due times earlier anywhere: the next tick walks the whole fleet. */
  walkAllNext(): void {
    this.walkAll = true;
  }

  /**
   * How this tick walks: `due` ({@link takeDue}); `all`, the whole fleet, each container
   * scheduled afresh ({@link schedule}); `all-unscheduled` after heavy traffic, the whole fleet
   * with nothing scheduled (and the next tick walks it again).
   */
  takeWalk(): TickWalk {
    if (!this.busy && !this.walkAll) return 'due';
    this.buckets.clear();
    this.bucketOf.clear();
    this.everyTick.clear();
    this.touched.clear();
    const walk = this.busy ? 'all-unscheduled' : 'all';
    this.walkAll = this.busy;
    this.busy = false;
    return walk;
  }

  /** Containers to evaluate at `nowMs`, each once: due by now, with an alert out, or touched. */
  takeDue(nowMs: number): Set<string> {
    const due = new Set(this.touched);
    this.touched.clear();
    const current = Math.floor(nowMs / this.bucketMs);
    for (const [bucket, ids] of this.buckets) {
      if (bucket > current) continue;
      this.buckets.delete(bucket);
      for (const id of ids) if (this.bucketOf.get(id) === bucket) due.add(id);
    }
    for (const id of this.everyTick) due.add(id);
    return due;
  }

  /**
   * After an evaluation at `nowMs`: the container is due at `dueAtMs` ({@link EVERY_TICK},
   * {@link NEVER}). A container still scheduled in a later bucket no later than that keeps it
   * (it is evaluated a little early there), so a touched container adds no entry.
   */
  schedule(containerId: string, dueAtMs: number, nowMs: number): void {
    const held = this.bucketOf.get(containerId);
    if (Number.isNaN(dueAtMs)) {
      this.bucketOf.set(containerId, EVERY_TICK_BUCKET);
      this.everyTick.add(containerId);
      return;
    }
    if (held === EVERY_TICK_BUCKET) this.everyTick.delete(containerId);
    if (dueAtMs === NEVER) {
      this.bucketOf.delete(containerId);
      return;
    }
    const bucket = Math.floor(dueAtMs / this.bucketMs);
    const current = Math.floor(nowMs / this.bucketMs);
    if (held !== undefined && held > current && held <= bucket) return;
    this.bucketOf.set(containerId, bucket);
    let ids = this.buckets.get(bucket);
    if (ids === undefined) this.buckets.set(bucket, (ids = []));
    ids.push(containerId);
  }

  /** A container gone from the live state. */
  forget(containerId: string): void {
    this.bucketOf.delete(containerId);
    this.everyTick.delete(containerId);
  }

  /** Containers scheduled (for tests and metrics). */
  size(): number {
    return this.bucketOf.size;
  }
}
