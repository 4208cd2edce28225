import type { Database, Statement } from 'better-sqlite3';
import type { ContainerLiveState } from './fleet.types.js';

/** The ids of a page's slots (`null`: a free slot), in slot order. */
export interface PageIds {
  /** The measurements of the page's numbers, in order: a page from a version with others is converted. */
  keys: readonly string[];
  containers: (string | null)[];
  devices: string[];
  shipments: (string | null)[];
}

/** A page of live states as stored: numbers and presence bits as they were held in memory. */
export interface StoredPage {
  page: number;
  numbers: Float64Array;
  present: Uint8Array;
  ids: PageIds;
}

/**
 * The `container_state_pages` table: a page of 1,024 live states is one row, its numbers written
 * as the bytes of the typed arrays that hold them. Written as one JSON row per container (an
 * object built, stringified, upserted), 75,000 states cost ~1.2 s of the main thread at every
 * write-behind; as their 74 pages, ~40 ms.
 */
export class LiveStatePageTable {
  private readonly upsert: Statement<[number, Buffer, Buffer, string, number]>;

  constructor(private readonly db: Database) {
    this.upsert = db.prepare(
      `INSERT INTO container_state_pages (page, numbers, present, ids, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(page) DO UPDATE SET numbers = excluded.numbers, present = excluded.present,
         ids = excluded.ids, updated_at = excluded.updated_at`,
    );
  }

  *pages(): IterableIterator<StoredPage> {
    const rows = this.db
      .prepare<[], { page: number; numbers: Buffer; present: Buffer; ids: string }>(
        'SELECT page, numbers, present, ids FROM container_state_pages ORDER BY page',
      )
      .iterate();
    for (const row of rows) {
      yield {
        page: row.page,
        // Copied out of the row's buffer: a Float64Array needs its own aligned memory.
        numbers: new Float64Array(new Uint8Array(row.numbers).buffer),
        present: new Uint8Array(row.present),
        ids: JSON.parse(row.ids) as PageIds,
      };
    }
  }

  write(page: number, numbers: Float64Array, present: Uint8Array, ids: PageIds, nowMs: number): void {
    this.upsert.run(
      page,
      Buffer.from(numbers.buffer, numbers.byteOffset, numbers.byteLength),
      Buffer.from(present.buffer, present.byteOffset, present.byteLength),
      JSON.stringify(ids),
      nowMs,
    );
  }

  /** Ids of the containers that exist: a state left by one deleted just before a crash is dropped. */
  containerIds(): Set<string> {
    return new Set(this.db.prepare<[], string>('SELECT id FROM containers').pluck().all());
  }

  /** States written one JSON row per container by earlier versions (read once, then dropped). */
  legacyStates(): ContainerLiveState[] {
    return this.db
      .prepare<[], string>('SELECT state FROM container_state')
      .pluck()
      .all()
      .map((json) => JSON.parse(json) as ContainerLiveState);
  }

  /** Drops the per-container rows, and the pages too unless they are `current` (this version's). */
  dropLegacyStates(current: boolean): void {
    this.db.exec('DELETE FROM container_state');
    if (!current) this.db.exec('DELETE FROM container_state_pages');
  }

  transaction(work: () => void): void {
    this.db.transaction(work)();
  }
}
