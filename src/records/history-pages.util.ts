import type { HistoryQuery, HistoryRow, TelemetryReader } from '#src/telemetry/telemetry.ports.js';

/**
 * The whole history of `[from, to)`, oldest first, read in pages of `pageRows` through the reader
 * port (which returns the newest `limit` rows of a range): each next page ends where the previous
 * one started. Rows sharing the boundary instant are re-read once and kept once. Stops after
 * `maxRows` and says so (`truncated`), so a pathological series cannot exhaust memory.
 */
export async function readWholeHistory(
  reader: Pick<TelemetryReader, 'history'>,
  query: Omit<HistoryQuery, 'limit'>,
  pageRows: number,
  maxRows: number,
): Promise<{ rows: HistoryRow[]; truncated: boolean }> {
  const pages: HistoryRow[][] = [];
  let to = query.to;
  let total = 0;
  while (to > query.from) {
    const page = await reader.history({ ...query, to, limit: pageRows });
    if (page.length < pageRows) {
      pages.push(page);
      break;
    }
    const oldest = page[0].measuredAt;
    // Rows at the oldest instant may be cut by the limit: the next page, ending just after that
    // instant (ms are integers), reads them all again.
    const newer = page.filter((r) => r.measuredAt > oldest);
    // A whole page at one instant cannot be split further: keep it and step past it.
    pages.push(newer.length > 0 ? newer : page);
    total += pages[pages.length - 1].length;
    if (total >= maxRows) return { rows: pages.reverse().flat(), truncated: true };
    to = newer.length > 0 ? oldest + 1 : oldest;
  }
  return { rows: pages.reverse().flat(), truncated: false };
}
