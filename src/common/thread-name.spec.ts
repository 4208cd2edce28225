import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { nameThisThread } from './thread-name.js';

/** The names of this process's threads, as `top -H` and the bench read them. */
const threadNames = (): string[] =>
  readdirSync('/proc/self/task').map((tid) => readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim());

/** Runs `check` while a worker thread that called `nameThisThread(name)` is alive. */
async function withNamedWorker(name: string, check: () => void): Promise<void> {
  const module = new URL('./thread-name.js', import.meta.url).href;
  const worker = new Worker(
    `import(${JSON.stringify(module)}).then((m) => { m.nameThisThread(${JSON.stringify(name)}); ` +
      `require('node:worker_threads').parentPort.postMessage('named'); });`,
    { eval: true },
  );
  try {
    await new Promise((resolve) => worker.once('message', resolve));
    check();
  } finally {
    await worker.terminate();
  }
}

describe(nameThisThread.name, () => {
  it('names the worker thread that calls it, and only that one', async () => {
    await withNamedWorker('convoi-test-thr', () => {
      assert.equal(threadNames().filter((name) => name === 'convoi-test-thr').length, 1);
      assert.notEqual(
        readFileSync('/proc/self/comm', 'utf8').trim(),
        'convoi-test-thr',
        'the main thread keeps its name',
      );
    });
  });

  it('cuts a name to the 15 bytes Linux keeps instead of failing', async () => {
    await withNamedWorker('convoi-a-very-long-name', () =>
      assert.ok(threadNames().includes('convoi-a-very-l')),
    );
  });
});
