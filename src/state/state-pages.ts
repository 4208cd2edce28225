import {
  LINKS,
  PAGE_MASK,
  PAGE_SHIFT,
  PAGE_SLOTS,
  STRIDE,
  WINDOW_STRIDE,
  clearSlot,
} from './state.layout.js';

/** The partition of a retired page ({@link StatePages.retire}): none. */
const RETIRED = -1;

/** The ids of a page's slots, in slot order (`null`: a free slot), as stored with its numbers. */
export interface PageIds {
  /** The measurements of the live values, in order: a page of a version with others is converted. */
  keys: readonly string[];
  /** Numbers per slot when written: another layout is converted. */
  stride: number;
  containers: (string | null)[];
  /** The device of each slot's newest reading. */
  devices: string[];
  shipments: (string | null)[];
  /** The device of each radio link, {@link LINKS} per slot (`null`: none). */
  links: (string | null)[];
}

/**
 * A page's ids as memory holds them, read when a store asks, within the write it is given to.
 * Most writes of a page find them as the last write recorded them (its containers' numbers
 * changed, not who is in it): compared in place, they cost no arrays, where building them for
 * every page of a checkpoint was ~12 KB of garbage a page (PERFORMANCE.md, "The REST tail on
 * PostgreSQL").
 */
export class PageIdsOf {
  constructor(
    private readonly pages: StatePages,
    private readonly page: number,
    private readonly keys: readonly string[],
  ) {}

  /** Whether they are `recorded`, entry by entry (keys and stride too). */
  sameAs(recorded: PageIds | undefined): boolean {
    if (recorded === undefined || recorded.stride !== STRIDE || !sameEntries(recorded.keys, this.keys))
      return false;
    const { containerIds, deviceIds, shipmentIds, linkDevices } = this.pages;
    const first = this.page * PAGE_SLOTS;
    if (recorded.containers.length !== PAGE_SLOTS || recorded.links.length !== PAGE_SLOTS * LINKS)
      return false;
    for (let i = 0; i < PAGE_SLOTS; i++) {
      if (recorded.containers[i] !== (containerIds[first + i] ?? null)) return false;
      if (recorded.devices[i] !== deviceIds[first + i]) return false;
      if (recorded.shipments[i] !== (shipmentIds[first + i] ?? null)) return false;
    }
    for (let i = 0; i < PAGE_SLOTS * LINKS; i++)
      if (recorded.links[i] !== (linkDevices[first * LINKS + i] ?? null)) return false;
    return true;
  }

  /** The ids as stored with the page's numbers. */
  build(): PageIds {
    const first = this.page * PAGE_SLOTS;
    const end = first + PAGE_SLOTS;
    const p = this.pages;
    return {
      keys: this.keys,
      stride: STRIDE,
      // Free slots are null (JSON has no undefined in arrays).
      containers: p.containerIds.slice(first, end).map((id) => id ?? null),
      devices: p.deviceIds.slice(first, end),
      shipments: p.shipmentIds.slice(first, end).map((id) => id ?? null),
      links: p.linkDevices.slice(first * LINKS, end * LINKS).map((id) => id ?? null),
    };
  }
}

function sameEntries<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The paged numbers of every container's state ({@link STRIDE} per slot, layout in
 * state.layout.ts) and the ids that go with them. A page belongs to one partition, so a
 * partition is stored, restored and handed over as its own pages; each partition takes the free
 * slots of its pages before it grows a page. Plain arrays: the logic of each part is its
 * feature's (live values: fleet; links and window: ingestion's dedupe).
 */
export class StatePages {
  readonly numbers: Float64Array[] = [];
  /** Each page's dedupe windows ({@link WINDOW_STRIDE} per slot), written less often than its numbers. */
  readonly windows: Float64Array[] = [];
  /** Bit k set: live measurement k has a value. */
  readonly present: Uint8Array[] = [];
  readonly containerIds: (string | undefined)[] = [];
  readonly deviceIds: string[] = [];
  readonly shipmentIds: (string | undefined)[] = [];
  /** Device of each link, slot * LINKS + k. */
  readonly linkDevices: (string | undefined)[] = [];
  /** Partition of each page, and its number within the partition (its stored row). */
  readonly pagePartition: number[] = [];
  readonly pageOrdinal: number[] = [];
  private readonly free = new Map<number, number[]>();
  private readonly ordinals = new Map<number, number>();
  /** Pages changed since written, each once (flagged in `pageDirty`), in change order. */
  dirtyPages: number[] = [];
  private readonly pageDirty: boolean[] = [];
  /** Pages whose windows changed since written, likewise. */
  dirtyWindows: number[] = [];
  private readonly windowDirty: boolean[] = [];

  /** A free slot of `partition`, cleared, its page grown when it has none. */
  allocate(partition: number, containerId: string): number {
    let free = this.free.get(partition);
    if (free === undefined || free.length === 0) free = this.addPage(partition, this.nextOrdinal(partition));
    const slot = free.pop()!;
    const page = slot >> PAGE_SHIFT;
    clearSlot(
      this.numbers[page],
      (slot & PAGE_MASK) * STRIDE,
      this.windows[page],
      (slot & PAGE_MASK) * WINDOW_STRIDE,
    );
    this.present[slot >> PAGE_SHIFT][slot & PAGE_MASK] = 0;
    this.containerIds[slot] = containerId;
    this.deviceIds[slot] = '';
    this.shipmentIds[slot] = undefined;
    for (let k = 0; k < LINKS; k++) this.linkDevices[slot * LINKS + k] = undefined;
    this.markDirty(slot);
    return slot;
  }

  /** Frees a slot (the next write of its page leaves it out). */
  release(slot: number): void {
    this.containerIds[slot] = undefined;
    this.shipmentIds[slot] = undefined;
    this.present[slot >> PAGE_SHIFT][slot & PAGE_MASK] = 0;
    this.markDirty(slot);
    this.free.get(this.pagePartition[slot >> PAGE_SHIFT])!.push(slot);
  }

  /**
   * Adds a page of `partition` numbered `ordinal` there (a new one, or one read back), every slot
   * free; returns the partition's free list.
   */
  addPage(partition: number, ordinal: number): number[] {
    const page = this.numbers.length;
    const first = page * PAGE_SLOTS;
    this.numbers.push(new Float64Array(PAGE_SLOTS * STRIDE));
    this.windows.push(new Float64Array(PAGE_SLOTS * WINDOW_STRIDE).fill(NaN));
    this.present.push(new Uint8Array(PAGE_SLOTS));
    this.pagePartition.push(partition);
    this.pageOrdinal.push(ordinal);
    this.pageDirty.push(false);
    this.windowDirty.push(false);
    if (ordinal >= (this.ordinals.get(partition) ?? 0)) this.ordinals.set(partition, ordinal + 1);
    for (let slot = first; slot < first + PAGE_SLOTS; slot++) {
      this.containerIds.push(undefined);
      this.deviceIds.push('');
      this.shipmentIds.push(undefined);
      for (let k = 0; k < LINKS; k++) this.linkDevices.push(undefined);
    }
    let free = this.free.get(partition);
    if (free === undefined) this.free.set(partition, (free = []));
    // Taken from the end: the page's slots are handed out in order.
    for (let slot = first + PAGE_SLOTS - 1; slot >= first; slot--) free.push(slot);
    return free;
  }

  /**
   * Retires the pages of `partitions` (given to another processor, which writes them from now
   * on): their slots are emptied and never written again, and a later restore adds the stored
   * pages anew. Their memory is not reused (a page per 64 containers, per handover).
   */
  retire(partitions: ReadonlySet<number>): void {
    for (let page = 0; page < this.pagePartition.length; page++) {
      if (!partitions.has(this.pagePartition[page])) continue;
      this.pagePartition[page] = RETIRED;
      this.pageDirty[page] = this.windowDirty[page] = false;
      this.present[page].fill(0);
      this.containerIds.fill(undefined, page * PAGE_SLOTS, (page + 1) * PAGE_SLOTS);
    }
    this.dirtyPages = this.dirtyPages.filter((page) => this.pagePartition[page] !== RETIRED);
    this.dirtyWindows = this.dirtyWindows.filter((page) => this.pagePartition[page] !== RETIRED);
    for (const partition of partitions) {
      this.free.delete(partition);
      this.ordinals.delete(partition);
    }
  }

  /** Takes a slot read back out of its partition's free list (it is in use). */
  claim(slot: number): void {
    const free = this.free.get(this.pagePartition[slot >> PAGE_SHIFT])!;
    const at = free.lastIndexOf(slot);
    if (at >= 0) free.splice(at, 1);
  }

  markDirty(slot: number): void {
    const page = slot >> PAGE_SHIFT;
    // A retired page: a stage that kept a released state wrote to it, and nothing of it is stored.
    if (this.pageDirty[page] || this.pagePartition[page] === RETIRED) return;
    this.pageDirty[page] = true;
    this.dirtyPages.push(page);
  }

  markWindowDirty(slot: number): void {
    const page = slot >> PAGE_SHIFT;
    if (this.windowDirty[page] || this.pagePartition[page] === RETIRED) return;
    this.windowDirty[page] = true;
    this.dirtyWindows.push(page);
  }

  /** Takes the oldest page whose window changed (the caller writes it). */
  takeDirtyWindow(): number | undefined {
    const page = this.dirtyWindows.shift();
    if (page !== undefined) this.windowDirty[page] = false;
    return page;
  }

  /** Takes the oldest changed page (the caller writes it). */
  takeDirtyPage(): number | undefined {
    const page = this.dirtyPages.shift();
    if (page !== undefined) this.pageDirty[page] = false;
    return page;
  }

  /** The ids of a page as stored with its numbers, read when the store asks for them. */
  idsOf(page: number, keys: readonly string[]): PageIdsOf {
    return new PageIdsOf(this, page, keys);
  }

  private nextOrdinal(partition: number): number {
    return this.ordinals.get(partition) ?? 0;
  }
}
