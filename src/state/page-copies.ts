/**
 * Copies of pages' arrays taken when a page is written to PostgreSQL (postgres-state.tables.ts),
 * in buffers used again once the copy is stored. A checkpoint of a fleet whose every page changed
 * copies ~1,200 pages of ~27 KB of numbers; a fresh buffer each was ~32 MB allocated outside the
 * heap per checkpoint, which V8 answers with collections on the main thread while REST and
 * ingestion wait (PERFORMANCE.md, "The REST tail on PostgreSQL"). Only the copies of one slice of
 * the checkpoint wait at a time (its statements are sent before the next slice is written), so
 * a few hundred buffers of each size go round.
 */
export class PageCopies {
  /** Free buffers by byte length. */
  private readonly free = new Map<number, Buffer[]>();

  /** @param keep most free buffers kept of each size: past it (writes piled up while PostgreSQL was away) they are left to the collector. */
  constructor(private readonly keep: number) {}

  /** A copy of `array` (taken now: the array may change meanwhile). */
  copy(array: Float64Array | Uint8Array): Buffer {
    const size = array.byteLength;
    const copy = this.free.get(size)?.pop() ?? Buffer.allocUnsafeSlow(size);
    copy.set(new Uint8Array(array.buffer, array.byteOffset, size));
    return copy;
  }

  /** A copy is no longer read (stored, or replaced by a newer one): it may be given out again. */
  release(copy: Buffer | null): void {
    if (copy === null) return;
    let free = this.free.get(copy.length);
    if (free === undefined) this.free.set(copy.length, (free = []));
    if (free.length < this.keep) free.push(copy);
  }

  /** Free buffers held (for tests). */
  get held(): number {
    let n = 0;
    for (const free of this.free.values()) n += free.length;
    return n;
  }
}
