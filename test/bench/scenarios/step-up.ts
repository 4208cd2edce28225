import type { LoadGroup } from '../load/load-group.js';
import type { BenchSettings } from './bench-settings.js';
import type { DeliveryTarget } from './delivery-target.js';
import { measureWindow, type SustainableLimits, type WindowResult } from './measure.js';
import { stepWindowSeconds, warmUp } from './steady-state.js';

export interface StepUpResult {
  /** The unmeasured windows at the first step's rate before it ({@link warmUp}). */
  warmUp: WindowResult[];
  /** Each step's length: a whole number of the target's checkpoint intervals ({@link stepWindowSeconds}). */
  stepSeconds: number;
  steps: WindowResult[];
  /** Highest rate of a sustainable step (0 when even the first failed). */
  highestSustainablePerS: number;
}

/**
 * After a warm-up at the first rate ({@link warmUp}, reported apart), steps the rate up until a
 * step is not sustainable (all delivered within the tail allowance, p99 ≤ 100 ms, nothing held
 * back), then tries once halfway between the last good and the bad rate; when even the first
 * step fails, halves the rate until one holds, then tries halfway once. Bounded: at most
 * `maxSteps` steps of `stepSeconds` rounded up to whole checkpoint intervals.
 */
export async function stepUp(
  target: DeliveryTarget,
  load: LoadGroup,
  devices: readonly number[],
  options: BenchSettings['stepUp'] & { limits?: SustainableLimits },
): Promise<StepUpResult> {
  const steps: WindowResult[] = [];
  let good = 0;
  let bad = 0;
  let refined = false;
  let rate = options.startPerS;
  const warm = await warmUp(target, load, devices, rate, options.warmUpSeconds);
  const stepSeconds = stepWindowSeconds(options.stepSeconds, target.checkpointEveryMs);
  while (steps.length < options.maxSteps && rate <= options.maxPerS) {
    const step = await measureWindow(
      target,
      load,
      'json',
      devices,
      rate,
      stepSeconds,
      Math.max(5000, options.limits?.tailMs ?? 0),
      options.limits,
    );
    steps.push(step);
    process.stdout.write(
      `    ${target.name} step ${rate}/s: offered ${step.offeredPerS}/s, delivered ${step.deliveredPerS}/s, ` +
        `p99 ${step.latencyMs.p99} ms, tail ${step.tailMs} ms → ${step.sustainable ? 'ok' : 'NOT sustainable'}\n`,
    );
    if (step.sustainable) good = Math.max(good, rate);
    else bad = bad === 0 ? rate : Math.min(bad, rate);
    if (bad === 0) {
      rate += options.stepPerS; // still climbing
      continue;
    }
    // A failed step's backlog drains before the next one.
    if (!step.sustainable) await drain(target, 20_000);
    if (good === 0) {
      // Even the first step failed: halve until a step holds, so the figure is a rate, not 0.
      if (rate <= 1000) break;
      rate = Math.max(1000, Math.round(rate / 2 / 500) * 500);
      continue;
    }
    if (refined || bad - good <= options.stepPerS / 2) break;
    rate = Math.round((good + bad) / 2 / 500) * 500;
    refined = true;
  }
  return { warmUp: warm, stepSeconds, steps, highestSustainablePerS: good };
}

/** Waits until delivery stops moving (the backlog is through), at most `maxMs`. */
async function drain(target: DeliveryTarget, maxMs: number): Promise<void> {
  const until = performance.now() + maxMs;
  let last = -1;
  for (let now = await target.delivered(); now !== last && performance.now() < until;) {
    last = now;
    await new Promise((r) => setTimeout(r, 500));
    now = await target.delivered();
  }
}
