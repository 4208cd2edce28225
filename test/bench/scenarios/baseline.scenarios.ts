import { BenchChild } from '../support/child-process.js';
import { LoadGroup } from '../load/load-group.js';
import type { CounterCommand, CounterSnapshot } from '../load/counter-protocol.js';
import { MosquittoProcess, mosquittoInstalled } from '#test/support/mosquitto-process.js';
import { CounterTarget, type DeliveryTarget } from './delivery-target.js';
import { measureWindow, type WindowResult } from './measure.js';
import { stepUp, type StepUpResult } from './step-up.js';
import type { BenchSettings } from './bench-settings.js';

type Counter = BenchChild<CounterCommand, CounterSnapshot | { type: 'ready'; port?: number }>;

export interface BaselineResult {
  broker: 'aedes' | 'mosquitto';
  skipped?: string;
  fixed?: WindowResult;
  stepUp?: StepUpResult;
}

/** The same load as convoi's against a target: a fixed window at 15,000/s, then the step-up. */
async function drive(
  target: DeliveryTarget,
  settings: BenchSettings,
): Promise<Omit<BaselineResult, 'broker'>> {
  const load = new LoadGroup();
  try {
    await load.connect(target.mqttUrl);
    await load.warmUp('json', settings.jsonDevices);
    const fixed = await measureWindow(
      target,
      load,
      'json',
      settings.jsonDevices,
      15_000,
      settings.baselineSeconds,
    );
    const steps = await stepUp(target, load, settings.jsonDevices, settings.stepUp);
    return { fixed, stepUp: steps };
  } finally {
    await load.close();
  }
}

/** A bare Aedes with its counting subscriber in-process. */
export async function aedesBaseline(settings: BenchSettings): Promise<BaselineResult> {
  // BENCH_CPU_PROF_DIR: the bare broker writes a V8 CPU profile there too, to set beside convoi's.
  const profile = process.env.BENCH_CPU_PROF_DIR;
  const broker: Counter = new BenchChild(
    'load/aedes-baseline.process.js',
    [],
    profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [],
  );
  try {
    const ready = await broker.next('ready');
    const url = `mqtt://127.0.0.1:${(ready as { port: number }).port}`;
    const target = new CounterTarget('aedes (raw)', url, broker, new Map([['broker', broker.pid]]));
    return { broker: 'aedes', ...(await drive(target, settings)) };
  } finally {
    await broker.stop();
  }
}

/** Mosquitto with a counting MQTT subscriber in its own process. */
export async function mosquittoBaseline(settings: BenchSettings): Promise<BaselineResult> {
  if (!mosquittoInstalled()) return { broker: 'mosquitto', skipped: 'mosquitto not installed' };
  const mosquitto = new MosquittoProcess();
  await mosquitto.start();
  const counter: Counter = new BenchChild('load/mqtt-counter.process.js', [mosquitto.url]);
  try {
    await counter.next('ready');
    const target = new CounterTarget(
      'mosquitto (raw)',
      mosquitto.url,
      counter,
      new Map([
        ['broker', mosquitto.pid],
        ['subscriber', counter.pid],
      ]),
    );
    return { broker: 'mosquitto', ...(await drive(target, settings)) };
  } finally {
    await counter.stop();
    await mosquitto.stop();
  }
}
