/** Messages between the outbox catch-up bench and its writer process. */
export type CatchupCommand =
  | { type: 'start' }
  /** Notes CPU and counters now, under this name ('returned' also starts watching for empty). */
  | { type: 'phase'; phase: string }
  | { type: 'end' };

/** The writer process's CPU and counters at one moment. */
export interface PhaseMark {
  phase: string;
  at: number;
  /** CPU seconds (user + system) of the writer process since it started. */
  cpuS: number;
  /** Readings handed to the writer so far. */
  sent: number;
  /** Lines InfluxDB acknowledged so far (convoi_influx_points_written_total). */
  written: number;
  outboxLines: number;
  outboxBatches: number;
}

export type CatchupEvent =
  | { type: 'ready' }
  | { type: 'started' }
  | { type: 'marked'; mark: PhaseMark }
  /** The outbox was empty for the first time after 'returned'. */
  | { type: 'drained'; mark: PhaseMark }
  | {
      type: 'report';
      sent: number;
      marks: PhaseMark[];
      /** [epoch ms, outbox lines, lines written so far] once a second. */
      outboxLines: [number, number, number][];
      end: PhaseMark;
      settled: PhaseMark;
    };
