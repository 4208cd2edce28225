/**
 * Byte strings sent as one binary parameter, with where each starts (1-based, as SQL's
 * `substring` counts) and its length (-1: null).
 */
export interface BlobParts {
  blob: Buffer;
  at: number[];
  length: number[];
}

/**
 * The binary parameters of one statement at a time, copied into one buffer kept from statement
 * to statement (ARCHITECTURE.md §5, "On PostgreSQL"). A checkpoint of a fleet whose pages all
 * changed sends ~45 MB: a fresh buffer per parameter was that much more memory outside the heap
 * for the collector to account for, at every checkpoint. Its parts stay valid until
 * {@link reset}, which the caller does only once the statement that sent them has completed.
 */
export class StatementBytes {
  private buffer = Buffer.alloc(0);
  private used = 0;

  /** The statement sent before is done: its bytes may be overwritten. */
  reset(): void {
    this.used = 0;
  }

  /** Copies `parts` in, one after the other (null: none), as one parameter. */
  parts(parts: readonly (Buffer | null)[]): BlobParts {
    let size = 0;
    for (const part of parts) size += part?.length ?? 0;
    if (this.buffer.length - this.used < size) {
      // Parameters taken before keep the buffer they were cut from.
      this.buffer = Buffer.allocUnsafe(Math.max(2 * this.buffer.length, this.used + size));
      this.used = 0;
    }
    const start = this.used;
    const at: number[] = [];
    const length: number[] = [];
    for (const part of parts) {
      at.push(this.used - start + 1);
      length.push(part === null ? -1 : part.length);
      if (part !== null) this.used += part.copy(this.buffer, this.used);
    }
    return { blob: this.buffer.subarray(start, this.used), at, length };
  }
}
