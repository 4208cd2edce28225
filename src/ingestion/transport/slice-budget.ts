/** Synchronous work one slice aims at, ms: about the longest a REST request waits behind ingestion. */
export const SLICE_TARGET_MS = 4;
/** Fewest messages per slice: below this, the per-slice cost (handler proxy, yield) shows. */
export const SLICE_MIN_MESSAGES = 16;
/** Most messages per slice, whatever they cost. */
export const SLICE_MAX_MESSAGES = 256;

/**
 * How many messages the next slice of a drain may take so that it lasts about
 * {@link SLICE_TARGET_MS}: the size follows the cost per message measured on the previous slice,
 * shrinking at once when messages get dearer (a cold cache, a busy machine) and at most doubling
 * when they get cheaper, so one cheap slice does not lead to a long one.
 */
export class SliceBudget {
  private size: number;

  constructor(
    private readonly targetMs = SLICE_TARGET_MS,
    private readonly min = SLICE_MIN_MESSAGES,
    private readonly max = SLICE_MAX_MESSAGES,
  ) {
    this.size = min;
  }

  /** Messages the next slice may take. */
  get messages(): number {
    return this.size;
  }

  /** Records that a slice of `messages` took `elapsedMs`. */
  record(messages: number, elapsedMs: number): void {
    if (messages <= 0) return;
    // A slice shorter than its budget (the end of a batch) says little about a full one.
    if (messages < this.size && elapsedMs <= this.targetMs) return;
    const fitting = elapsedMs > 0 ? Math.floor((this.targetMs * messages) / elapsedMs) : this.max;
    this.size = Math.max(this.min, Math.min(this.max, this.size * 2, fitting));
  }
}
