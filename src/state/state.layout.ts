import { MEASUREMENT_KEYS } from '#src/contracts/reading.js';

// How a container's numeric state is laid out in its page, in memory and as stored: its live
// values and the radio links of its devices in the page's numbers, its dedupe window in the
// page's window numbers. Numbers in typed
// arrays written a page at a time (one blob a page) are what keeps the write-behind cheap: one
// JSON row a container cost ~1.2 s of the main thread for 75,000 containers, a page ~0.5 ms.

/** Slots per page; a partition grows a page at a time, so it never holds more than a page unused. */
export const PAGE_SLOTS = 128;
/** slot >> PAGE_SHIFT is its page, slot & PAGE_MASK its place in it. */
export const PAGE_SHIFT = 7;
export const PAGE_MASK = PAGE_SLOTS - 1;
export const KEYS = MEASUREMENT_KEYS.length;

/** Live values: lastMeasuredAt (NaN: no reading yet), lastReceivedAt, then value and measuredAt per key. */
export const LIVE = 0;
export const LIVE_SIZE = 2 + 2 * KEYS;

/**
 * Radio links: per device of the container (two, the usual most: a logger and a tracker), its
 * frame counter and `seq` follow-up. Offsets within one link; NaN marks an absent number.
 */
export const Link = {
  LastFCnt: 0,
  LostFrames: 1,
  Resets: 2,
  LastResetAt: 3,
  /** Bit i set: counter lastFCnt − i has arrived. */
  SeenMask: 4,
  /** Bit i set: counter lastFCnt − i was counted lost and has not arrived. */
  LostMask: 5,
  /** `seq` of the newest native reading (by measuredAt), and that measuredAt. */
  Seq: 6,
  SeqAt: 7,
  Duplicates: 8,
  /** Our reception time of the link's newest reading: the older link gives way to a third device. */
  UsedAt: 9,
  Size: 10,
} as const;
export const LINKS = 2;
export const LINK = LIVE + LIVE_SIZE;

/** Numbers per slot in the numbers of a page (live values and radio links). */
export const STRIDE = LINK + LINKS * Link.Size;

/**
 * Dedupe window: the container's newest idempotency keys, in a page's window numbers (apart: they
 * are written every {@link WINDOW_EVERY_CHECKPOINTS}-th checkpoint only, see there), each [key hash
 * (53 bits), content fingerprint and owner tag (53 bits), first sighting (NaN: empty; negative:
 * restored, see {@link markRestoredKeys})].
 */
export const DEDUPE_KEYS = 8;
export const DEDUPE_ENTRY = 3;
/** Numbers per slot in the window numbers of a page. */
export const WINDOW_STRIDE = DEDUPE_KEYS * DEDUPE_ENTRY;
/**
 * The windows are written at every this-many-th checkpoint (and at shutdown): they are 40 % of a
 * slot's numbers, and one restored older only lets a repeat through (both stores merge it), while
 * live values and radio links restored older would replay as false frame losses.
 */
export const WINDOW_EVERY_CHECKPOINTS = 6;

/** Resets a slot's numbers and window to "nothing known" (a fresh or freed slot). */
export function clearSlot(page: Float64Array, base: number, window: Float64Array, windowBase: number): void {
  page.fill(0, base, base + STRIDE);
  page[base + LIVE] = NaN;
  for (let k = 0; k < LINKS; k++) clearLink(page, base + LINK + k * Link.Size);
  for (let e = 0; e < DEDUPE_KEYS; e++) window[windowBase + e * DEDUPE_ENTRY + 2] = NaN;
}

/** Resets one link (`at` its first number) to a device never heard. */
export function clearLink(page: Float64Array, at: number): void {
  page.fill(0, at, at + Link.Size);
  page[at + Link.LastFCnt] = NaN;
  page[at + Link.LastResetAt] = NaN;
  page[at + Link.Seq] = NaN;
  page[at + Link.UsedAt] = -Infinity;
}

/**
 * Marks the dedupe keys of a restored slot as restored (their first sighting negated). A page is
 * written during the checkpoint's slices, so it may hold the keys of messages past the position
 * the checkpoint stored, which the input log replays after a crash, and whose readings may not
 * have reached storage: the first sighting of a restored key with the same content must pass
 * (storage, rules and live state absorb it), not be dropped as a repeat.
 */
export function markRestoredKeys(window: Float64Array, base: number): void {
  for (let e = 0; e < DEDUPE_KEYS; e++) {
    const at = base + e * DEDUPE_ENTRY + 2;
    if (window[at] > 0) window[at] = -window[at];
  }
}
