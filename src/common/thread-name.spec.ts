import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { nameThisThread } from './thread-name.js';

/** The names of this process's threads, as `top -H` and the bench read them. */
const threadNames = (): string[] => readdirSync('/proc/self/task').map((tid) => threadName(tid));
const threadName = (tid: string): string => readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();

/**
 * Runs `check` with the id of a live worker thread that called `nameThisThread(name)`. The check
 * reads that thread's name by its id: a listing of /proc/self/task can skip a live thread while
 * another exits (the previous case's worker), which made this spec fail under load. The worker
 * listens on its port so that it lives until terminated: a worker with nothing left to do exits,
 * and under load it had gone before the check read its name (ENOENT in a CI run).
 */
async function withNamedWorker(name: string, check: (tid: string) => void): Promise<void> {
  const module = new URL('./thread-name.js', import.meta.url).href;
  const worker = new Worker(
    `import(${JSON.stringify(module)}).then((m) => { m.nameThisThread(${JSON.stringify(name)}); ` +
      `const { parentPort } = require('node:worker_threads'); parentPort.on('message', () => {}); ` +
      `parentPort.postMessage(require('node:fs').readlinkSync('/proc/thread-self')); });`,
    { eval: true },
  );
  try {
    const self = await new Promise<string>((resolve) => worker.once('message', resolve));
    check(self.slice(self.lastIndexOf('/') + 1));
  } finally {
    await worker.terminate();
  }
}

describe(nameThisThread.name, () => {
  it('names the worker thread that calls it, and only that one', async () => {
    await withNamedWorker('convoi-test-thr', (tid) => {
      assert.equal(threadName(tid), 'convoi-test-thr');
      assert.ok(
        threadNames().filter((name) => name === 'convoi-test-thr').length <= 1,
        'no other thread took it',
      );
      assert.notEqual(
        readFileSync('/proc/self/comm', 'utf8').trim(),
        'convoi-test-thr',
        'the main thread keeps its name',
      );
    });
  });

  it('cuts a name to the 15 bytes Linux keeps instead of failing', async () => {
    await withNamedWorker('convoi-a-very-long-name', (tid) =>
      assert.equal(threadName(tid), 'convoi-a-very-l'),
    );
  });
});
