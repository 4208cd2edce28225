/**
 * Offline gaps: silences longer than `thresholdMs` (k × the expected interval, ARCHITECTURE.md §6),
 * between consecutive readings and at either end of the period. A period with no reading at all
 * is one gap.
 */
export interface OfflineGap {
  startMs: number;
  endMs: number;
}

/** `times` ascending, all within [fromMs, toMs]. */
export function findOfflineGaps(
  times: readonly number[],
  fromMs: number,
  toMs: number,
  thresholdMs: number,
): OfflineGap[] {
  const marks = [fromMs, ...times, toMs];
  const gaps: OfflineGap[] = [];
  for (let i = 1; i < marks.length; i++) {
    if (marks[i] - marks[i - 1] > thresholdMs) gaps.push({ startMs: marks[i - 1], endMs: marks[i] });
  }
  return gaps;
}
