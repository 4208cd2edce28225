/** A container with an offline alert out: evaluated at every tick (its severity escalates). */
export const EVERY_TICK = Number.NaN;
/** A container with no offline rule: never evaluated by the tick until something changes. */
export const NEVER = Number.POSITIVE_INFINITY;

/** `everyTick` in {@link OfflineTickSchedule}'s map: not a bucket. */
const EVERY_TICK_BUCKET = -1;

/** How a tick goes: the due containers, or the whole fleet scheduled afresh. */
export type TickWalk = 'due' | 'all';

/**
 * Which containers the offline tick must evaluate (issue "The way of a reading": the fleet at
 * rest spent about 1 % of a core walking all 150,000 containers every RULES_TICK_MS to find none
 * due). A quiet watch cannot raise before its container's last reading + the rule's limit, and a
 * reading only moves that time later; so each container is kept in the bucket of the tick at or
 * after which it is due ({@link schedule}), and a tick evaluates the buckets that have come
 * ({@link takeDue}), never later than a walk of the whole fleet would have.
 *
 * What could bring a due time earlier is seen to by the engine: a reading schedules its container
 * itself from the states it just evaluated, with the rules of the reading's shipment (a change of
 * shipment included); a container whose shipment was written is evaluated at the next tick
 * ({@link touch}); partitions taken, a changed profile or a reload of every shipment make the next
 * tick walk the whole fleet again ({@link walkAllNext}), which schedules it afresh, and so do
 * more shipment writes between two ticks than `touchedLimit` containers (the touched set stays
 * bounded). Readings used to touch their container, and a container new to the live state to
 * walk the whole fleet (issue 22): at 2,500 uplinks/s ~25,000 were touched per tick, past the
 * limit, so every tick walked all 150,000 containers (~4–8 % of the main thread).
 *
 * Memory: one map entry and one bucket slot per container, ~57 bytes (8.5 MB at 150,000
 * containers).
 */
export class OfflineTickSchedule {
  /** Bucket index → containers due in it (an entry is stale when {@link bucketOf} moved on). */
  private readonly buckets = new Map<number, string[]>();
  /** The one bucket a container is scheduled in ({@link EVERY_TICK_BUCKET} for every tick). */
  private readonly bucketOf = new Map<string, number>();
  private readonly everyTick = new Set<string>();
  private readonly touched = new Set<string>();
  private walkAll = true;

  /**
   * @param bucketMs width of a bucket: the tick interval.
   * @param touchedLimit touched containers past which the next tick walks the whole fleet instead.
   */
  constructor(
    private readonly bucketMs: number,
    private readonly touchedLimit: number,
  ) {}

  /** The container's rules may have changed (its shipment was written): evaluate it at the next tick. */
  touch(containerId: string): void {
    if (this.walkAll) return;
    this.touched.add(containerId);
    if (this.touched.size > this.touchedLimit) {
      this.walkAll = true;
      this.touched.clear();
    }
  }

  /** Something may have brought due times earlier anywhere: the next tick walks the whole fleet. */
  walkAllNext(): void {
    this.walkAll = true;
  }

  /** How this tick walks: `due` ({@link takeDue}), or `all`, each container scheduled afresh ({@link schedule}). */
  takeWalk(): TickWalk {
    if (!this.walkAll) return 'due';
    this.buckets.clear();
    this.bucketOf.clear();
    this.everyTick.clear();
    this.touched.clear();
    this.walkAll = false;
    return 'all';
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
   * After an evaluation at `nowMs` (a tick's, or a reading's): the container is due at `dueAtMs`
   * ({@link EVERY_TICK}, {@link NEVER}). A container still scheduled in a later bucket no later
   * than that keeps it (it is evaluated a little early there), so nearly every reading costs one
   * map lookup and adds no entry.
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
