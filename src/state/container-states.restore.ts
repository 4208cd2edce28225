import type { Database } from 'better-sqlite3';
import { MEASUREMENT_KEYS } from '#src/contracts/reading.js';
import { ContainerState, Slot } from './container-state.js';
import { clearLegacyStates, readLegacyStates } from './container-states.legacy.js';
import { liveValuesAt, putLiveValues, type LiveValues } from './live-values.js';
import type { RuleState } from './rule-state.js';
import { packRuleState, type PackedRuleState } from './rule-state.packing.js';
import type { StatePages } from './state-pages.js';
import {
  LINKS,
  PAGE_MASK,
  PAGE_SHIFT,
  PAGE_SLOTS,
  STRIDE,
  WINDOW_STRIDE,
  markRestoredKeys,
} from './state.layout.js';
import type { StoredPage, StoredRow, StateTables } from './state.tables.js';

/** What loading stored states needs of the state owner (write-behind-container-states.ts). */
export interface Loader {
  readonly pages: StatePages;
  readonly partitions: number;
  readonly byId: Map<string, ContainerState>;
  readonly held: Set<number>;
  partitionOf(containerId: string): number;
  obtain(containerId: string): ContainerState;
  putRules(state: ContainerState, entries: (string | PackedRuleState)[]): void;
  changed(state: ContainerState, slot: Slot): void;
  flush(): void;
}

/** What restoring from the SQLite file needs too (sqlite-container-states.ts). */
export interface Restorer extends Loader {
  readonly tables: StateTables;
}

/** A container's numbers read from a page that cannot be put back as it is (other layout or partition). */
interface SlotImage {
  live: LiveValues;
  /** Its whole slot, window and radio-link devices, when the page had this version's layout. */
  numbers?: Float64Array;
  window?: Float64Array;
  links?: (string | null)[];
}

/**
 * Loads the stored states of `partitions` into `target` (only those it does not hold). Without
 * `partitions` (at start) it loads those `owned` (every one by default), after carrying over
 * first what the tables of a different partition count and those of earlier versions hold
 * (written again at once).
 */
export function restoreInto(
  target: Restorer,
  db: Database,
  partitions?: readonly number[],
  owned: readonly number[] = Array.from({ length: target.partitions }, (_, p) => p),
): void {
  const known = target.tables.containerIds();
  if (partitions !== undefined) {
    load(
      target,
      partitions.filter((p) => !target.held.has(p)),
      known,
    );
    return;
  }
  const images: SlotImage[] = [];
  const stored = target.tables.partitions();
  if (stored !== target.partitions) {
    // Written with another partition count: every page is put into new ones, rows renumbered.
    if (stored !== undefined) for (const page of target.tables.pages()) images.push(...imagesOf(page));
    target.tables.transaction(() =>
      target.tables.repartition(target.partitions, (id) => target.partitionOf(id)),
    );
  }
  load(target, owned, known);
  for (const image of images) if (isKnown(known, image.live.containerId)) putImage(target, image);
  const legacy = readLegacyStates(db);
  for (const live of legacy.live)
    if (isKnown(known, live.containerId) && !target.byId.has(live.containerId)) putImage(target, { live });
  for (const [id, states] of legacy.rules) {
    if (!isKnown(known, id)) continue;
    const state = target.obtain(id);
    if (state.rules.length === 0) target.putRules(state, entriesOf(states));
    target.changed(state, Slot.Rules);
  }
  for (const [id, json] of legacy.journeys) {
    if (!isKnown(known, id)) continue;
    const state = target.obtain(id);
    state.journey ??= json;
    target.changed(state, Slot.Journey);
  }
  if (images.length > 0 || legacy.live.length > 0 || legacy.rules.size > 0 || legacy.journeys.size > 0)
    db.transaction(() => {
      target.flush();
      clearLegacyStates(db);
    })();
}

function load(target: Restorer, partitions: readonly number[], known: Set<string> | undefined): void {
  if (partitions.length === 0) return;
  for (const partition of partitions) target.held.add(partition);
  loadStored(target, target.tables.pages(partitions), target.tables.rows(partitions), known, (id) =>
    target.tables.forget(id),
  );
}

/**
 * Puts stored pages and rows (of partitions the target holds now) into the target. A state of a
 * container not `known` (deleted meanwhile; undefined: all are known) is left out, and its row
 * handed to `drop`.
 */
export function loadStored(
  target: Loader,
  pages: Iterable<StoredPage>,
  rows: Iterable<StoredRow>,
  known: Set<string> | undefined,
  drop: (containerId: string) => void,
): void {
  for (const page of pages) {
    if (sameLayout(page)) restorePage(target, page, known);
    else
      for (const image of imagesOf(page)) if (isKnown(known, image.live.containerId)) putImage(target, image);
  }
  for (const row of rows) {
    if (!isKnown(known, row.containerId)) {
      drop(row.containerId);
      continue;
    }
    const state = target.obtain(row.containerId);
    if (row.rules !== null)
      target.putRules(state, entriesOf(JSON.parse(row.rules) as Record<string, RuleState>));
    // Kept as its row until the journeys feature first reads it (it unpacks it then).
    if (row.journey !== null) state.journey = row.journey;
  }
}

/** Puts a stored page back as a page of its partition: same slots, so its row is rewritten, never duplicated. */
function restorePage(target: Loader, stored: StoredPage, known: Set<string> | undefined): void {
  const pages = target.pages;
  pages.addPage(stored.partition, stored.page);
  const page = pages.numbers.length - 1;
  pages.numbers[page] = stored.numbers;
  pages.present[page] = stored.present;
  const window = stored.window?.length === PAGE_SLOTS * WINDOW_STRIDE ? stored.window : undefined;
  if (window !== undefined) pages.windows[page] = window;
  const ids = stored.ids;
  for (let i = 0; i < PAGE_SLOTS; i++) {
    const slot = page * PAGE_SLOTS + i;
    const id = ids.containers[i] ?? null;
    if (id !== null && isKnown(known, id) && !target.byId.has(id)) {
      pages.containerIds[slot] = id;
      pages.deviceIds[slot] = ids.devices[i] ?? '';
      pages.shipmentIds[slot] = ids.shipments[i] ?? undefined;
      for (let k = 0; k < LINKS; k++)
        pages.linkDevices[slot * LINKS + k] = ids.links[i * LINKS + k] ?? undefined;
      pages.claim(slot);
      markRestoredKeys(pages.windows[page], i * WINDOW_STRIDE);
      target.byId.set(id, new ContainerState(id, stored.partition, slot));
    } else if (id !== null) {
      // A container deleted before its page was written again: the next write leaves it out.
      pages.present[page][i] = 0;
      pages.markDirty(slot);
    }
  }
}

function sameLayout(stored: StoredPage): boolean {
  const keys = stored.ids.keys;
  return (
    stored.ids.stride === STRIDE &&
    stored.numbers.length === PAGE_SLOTS * STRIDE &&
    keys.length === MEASUREMENT_KEYS.length &&
    keys.every((key, k) => key === MEASUREMENT_KEYS[k])
  );
}

function imagesOf(stored: StoredPage): SlotImage[] {
  const ids = stored.ids;
  const same = sameLayout(stored);
  const out: SlotImage[] = [];
  for (let i = 0; i < ids.containers.length; i++) {
    const id = ids.containers[i];
    if (id === null) continue;
    const base = i * ids.stride;
    const live = liveValuesAt(
      ids.keys,
      stored.numbers,
      base,
      stored.present[i],
      id,
      ids.devices[i] ?? '',
      ids.shipments[i] ?? undefined,
    );
    if (!same) {
      out.push({ live });
      continue;
    }
    const window = stored.window?.length === PAGE_SLOTS * WINDOW_STRIDE ? stored.window : undefined;
    out.push({
      live,
      numbers: stored.numbers.slice(base, base + STRIDE),
      window: window?.slice(i * WINDOW_STRIDE, (i + 1) * WINDOW_STRIDE),
      links: ids.links.slice(i * LINKS, (i + 1) * LINKS),
    });
  }
  return out;
}

function putImage(target: Loader, image: SlotImage): void {
  const state = target.obtain(image.live.containerId);
  const pages = target.pages;
  const slot = state.slot;
  const page = pages.numbers[slot >> PAGE_SHIFT];
  const base = (slot & PAGE_MASK) * STRIDE;
  let mask: number;
  if (image.numbers !== undefined) {
    page.set(image.numbers, base);
    const window = pages.windows[slot >> PAGE_SHIFT];
    const windowBase = (slot & PAGE_MASK) * WINDOW_STRIDE;
    if (image.window !== undefined) window.set(image.window, windowBase);
    markRestoredKeys(window, windowBase);
    pages.markWindowDirty(slot);
    mask = 0;
    for (let k = 0; k < MEASUREMENT_KEYS.length; k++)
      if (image.live.values[MEASUREMENT_KEYS[k]] !== undefined) mask |= 1 << k;
    for (let k = 0; k < LINKS; k++) pages.linkDevices[slot * LINKS + k] = image.links?.[k] ?? undefined;
  } else {
    mask = putLiveValues(page, base, image.live);
  }
  pages.present[slot >> PAGE_SHIFT][slot & PAGE_MASK] = mask;
  pages.deviceIds[slot] = image.live.lastDeviceId;
  pages.shipmentIds[slot] = image.live.shipmentId;
  pages.markDirty(slot);
}

function entriesOf(states: Record<string, RuleState>): (string | PackedRuleState)[] {
  const entries: (string | PackedRuleState)[] = [];
  for (const [key, state] of Object.entries(states)) entries.push(key, packRuleState(state));
  return entries;
}

function isKnown(known: Set<string> | undefined, id: string): boolean {
  return known === undefined || known.has(id);
}
