/** A run of consecutive inbox ids, all waiting for the pipeline. */
interface IdRun {
  first: number;
  last: number;
}

/**
 * The inbox ids handed to the pipeline and not stored yet, counted by id rather than by what the
 * pipeline reports: "stored up to id N" is then idempotent. The pipeline may report a range twice
 * (after a broker thread restart, the process reports the replay of what it already held at once,
 * then the same messages again once they are stored); counting the reports would count those
 * messages off twice and show an empty inbox, and release held PUBACKs, while the pipeline still
 * holds them.
 */
export class UnprocessedIds {
  /** Oldest first; ids only grow, so runs never overlap. */
  private readonly runs: IdRun[] = [];
  private waiting = 0;

  /** How many ids wait. */
  get count(): number {
    return this.waiting;
  }

  /** Adds ids handed to the pipeline, in increasing order (a gap, an id never written, starts a new run). */
  add(ids: readonly { id: number }[]): void {
    if (ids.length === 0) return;
    const first = ids[0].id;
    const last = ids[ids.length - 1].id;
    this.waiting += ids.length;
    // A group commit's ids are consecutive: one comparison, not one per message.
    if (last - first + 1 === ids.length) return this.addRun(first, last);
    for (const { id } of ids) this.addRun(id, id);
  }

  private addRun(first: number, last: number): void {
    const tail = this.runs.at(-1);
    if (tail !== undefined && tail.last === first - 1) tail.last = last;
    else this.runs.push({ first, last });
  }

  /** Everything up to `lastId` is stored: counted off once, however often it is reported. */
  storedUpTo(lastId: number): void {
    const runs = this.runs;
    while (runs.length > 0 && runs[0].last <= lastId) {
      const run = runs.shift()!;
      this.waiting -= run.last - run.first + 1;
    }
    const head = runs[0];
    if (head !== undefined && head.first <= lastId) {
      this.waiting -= lastId - head.first + 1;
      head.first = lastId + 1;
    }
  }
}
