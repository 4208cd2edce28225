import { Link } from '#src/state/state.layout.js';

/**
 * Follows the `seq` of a native JSON device in its radio link (numbers from `at` of `link`) to
 * count restarts: a reading measured after the newest one with a `seq` not above it means the
 * device started counting again (a reboot). It is new data, not a repeat (readings are told apart
 * by device and measuredAt). A late reading (older measuredAt) never counts: buffered uploads
 * arrive out of order. True when the reading starts a new count.
 */
export function followSeq(
  link: Float64Array,
  at: number,
  seq: number,
  measuredAt: number,
  receivedAt: number,
): boolean {
  const last = link[at + Link.Seq];
  if (Number.isNaN(last)) {
    link[at + Link.Seq] = seq;
    link[at + Link.SeqAt] = measuredAt;
    return false;
  }
  if (measuredAt <= link[at + Link.SeqAt]) return false;
  link[at + Link.Seq] = seq;
  link[at + Link.SeqAt] = measuredAt;
  if (seq > last) return false;
  link[at + Link.Resets]++;
  link[at + Link.LastResetAt] = receivedAt;
  return true;
}
