import { Logger } from '@nestjs/common';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import { Worker } from 'node:worker_threads';
import { unpackMessages } from '../inbox/packed-messages.js';
import type { BrokerRuntime, BrokerRuntimeDeps, PlatformPublish } from '../runtime/broker-runtime.js';
import type { FromBrokerThread, ToBrokerThread } from './broker-thread.messages.js';

type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

/** Wait before restarting a broker thread that died, ms. */
const RESTART_AFTER_MS = 1000;
/** Longest a closing broker thread may take before it is terminated, ms. */
const CLOSE_TIMEOUT_MS = 5000;

/**
 * The embedded broker on its own thread (BROKER_THREAD=true, the default): Aedes, the hardened
 * edge and the write-ahead inbox run on one core, the pipeline on the other. Only small messages
 * cross: committed batches (payloads packed in one transferred buffer), credential checks (the
 * main thread owns the store), completions, the platform's own publishes and metrics scrapes.
 * If the thread dies (Aedes has known stack overflows when a subscriber dies mid-flood), it is
 * restarted on the same ports and replays its inbox; devices reconnect and resend what was not
 * acknowledged.
 */
export class BrokerThreadRuntime implements BrokerRuntime {
  private readonly logger = new Logger('BrokerThread');
  private worker!: Worker;
  private listening?: { port: number; tlsPort?: number };
  private closing = false;
  private nextId = 1;
  private readonly scrapes = new Map<number, (metrics: MetricsJson) => void>();
  private exited?: Promise<void>;

  private constructor(private deps: BrokerRuntimeDeps) {
    deps.credentials.onChange((username, change) =>
      this.send({ kind: 'credential-changed', username, change }),
    );
    deps.metrics.addSource(() => this.scrape());
  }

  static async start(deps: BrokerRuntimeDeps): Promise<BrokerThreadRuntime> {
    const runtime = new BrokerThreadRuntime(deps);
    await runtime.spawn();
    return runtime;
  }

  port(): number | undefined {
    return this.listening?.port;
  }

  tlsPort(): number | undefined {
    return this.listening?.tlsPort;
  }

  isListening(): boolean {
    return this.listening !== undefined && !this.closing;
  }

  publish(message: PlatformPublish): void {
    const { topic, payload, qos, retain } = message;
    this.send({ kind: 'publish', topic, payload: new Uint8Array(payload), qos, retain });
  }

  complete(lastId: number): void {
    this.send({ kind: 'complete', lastId });
  }

  forget(position: number): void {
    this.send({ kind: 'forget', position });
  }

  async close(): Promise<void> {
    this.closing = true;
    this.send({ kind: 'close' });
    // The thread ends by itself once Aedes and its sockets are closed; a stuck one is stopped.
    const stuck = setTimeout(() => void this.worker.terminate(), CLOSE_TIMEOUT_MS);
    await this.exited;
    clearTimeout(stuck);
  }

  private spawn(): Promise<void> {
    const worker = new Worker(new URL('./broker.worker.js', import.meta.url), {
      workerData: this.deps.settings,
    });
    this.worker = worker;
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    return new Promise((resolve, reject) => {
      worker.on('message', (message: FromBrokerThread) => {
        if (message.kind === 'listening') {
          this.listening = { port: message.port, tlsPort: message.tlsPort };
          resolve();
        } else if (message.kind === 'start-failed') {
          reject(new Error(`embedded broker did not start: ${message.error}`));
        } else this.receive(message);
      });
      worker.on('error', (err) => {
        this.logger.error({ err }, 'Broker thread failed');
        reject(err);
      });
      worker.once('exit', (code) => this.onExit(worker, code));
    });
  }

  private onExit(worker: Worker, code: number): void {
    if (worker !== this.worker || this.closing) return;
    const bound = this.listening;
    this.listening = undefined;
    this.logger.error({ exitCode: code, restartInMs: RESTART_AFTER_MS }, 'Broker thread exited: restarting');
    setTimeout(() => {
      if (this.closing) return;
      // The same ports again, also when they were picked by the OS (port 0) at first start.
      const settings = { ...this.deps.settings };
      if (bound !== undefined) {
        settings.port = bound.port;
        if (settings.tls && bound.tlsPort !== undefined)
          settings.tls = { ...settings.tls, port: bound.tlsPort };
      }
      this.deps = { ...this.deps, settings };
      this.spawn().catch((err: unknown) => this.logger.error({ err }, 'Broker thread restart failed'));
    }, RESTART_AFTER_MS).unref();
  }

  private receive(message: FromBrokerThread): void {
    switch (message.kind) {
      case 'committed':
        this.deps.committed(unpackMessages(message.batch));
        return;
      case 'verify':
        this.deps.credentials.verify(message.username, Buffer.from(message.password)).then(
          (principal) => this.send({ kind: 'verified', id: message.id, principal }),
          (err: unknown) => this.send({ kind: 'verified', id: message.id, error: String(err) }),
        );
        return;
      case 'metrics':
        this.scrapes.get(message.id)?.(message.metrics);
        this.scrapes.delete(message.id);
        return;
      default:
        return;
    }
  }

  private scrape(): Promise<MetricsJson> {
    if (!this.isListening()) return Promise.resolve([]);
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.scrapes.set(id, resolve);
      this.send({ kind: 'metrics', id });
      // A thread that died mid-scrape must not hang /metrics.
      setTimeout(() => {
        if (this.scrapes.delete(id)) resolve([]);
      }, 2000).unref();
    });
  }

  private send(message: ToBrokerThread): void {
    this.worker.postMessage(message);
  }
}
