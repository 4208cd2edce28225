import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A forked helper process (load generator, counter, baseline broker) with typed IPC. */
export class BenchChild<In, Out extends { type: string }> {
  readonly process: ChildProcess;
  private readonly waiting: { type: string; resolve: (m: Out) => void; reject: (e: Error) => void }[] = [];
  private exited = false;

  /** `module` is resolved against this folder's parent (test/bench) in dist. */
  constructor(module: string, args: string[] = [], execArgv: string[] = []) {
    const path = fileURLToPath(new URL(`../${module}`, import.meta.url));
    this.process = fork(path, args, { execArgv: ['--enable-source-maps', ...execArgv], stdio: 'inherit' });
    this.process.on('message', (raw) => {
      const message = raw as Out;
      const i = this.waiting.findIndex((w) => w.type === message.type);
      if (i >= 0) this.waiting.splice(i, 1)[0].resolve(message);
    });
    this.process.once('exit', (code, signal) => {
      this.exited = true;
      for (const w of this.waiting.splice(0)) w.reject(new Error(`${module} exited (${code ?? signal})`));
    });
  }

  get pid(): number {
    return this.process.pid ?? -1;
  }

  send(command: In): void {
    if (!this.exited) this.process.send(command as object);
  }

  /** The next message of a type, or an error after `timeoutMs`. */
  next<T extends Out['type']>(type: T, timeoutMs = 120_000): Promise<Extract<Out, { type: T }>> {
    return new Promise((resolve, reject) => {
      if (this.exited) {
        reject(new Error('process already exited'));
        return;
      }
      const timer = setTimeout(() => reject(new Error(`no '${type}' within ${timeoutMs} ms`)), timeoutMs);
      this.waiting.push({
        type,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as Extract<Out, { type: T }>);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  async request<T extends Out['type']>(command: In, type: T, timeoutMs?: number) {
    const answer = this.next(type, timeoutMs);
    this.send(command);
    return answer;
  }

  /** Asks politely (IPC disconnect), then SIGKILL after `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    if (this.process.connected) this.process.disconnect();
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }
}

/**
 * In a helper process: answers each command of the bench with what `handle` resolves to; a command
 * that fails ends the process (the bench's pending `next` then rejects with its exit).
 */
export function answerCommands<In, Out>(label: string, handle: (command: In) => Promise<Out>): void {
  process.on('message', (raw) => {
    handle(raw as In).then(
      (report) => process.send?.(report),
      (err: unknown) => {
        process.stderr.write(`${label}: ${String(err)}\n`);
        process.exit(1);
      },
    );
  });
}
