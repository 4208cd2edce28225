import { writeFileSync } from 'node:fs';

/**
 * Names the calling thread for the operating system (Linux: `/proc/thread-self/comm`, at most 15
 * bytes), so that `top -H`, `ps -L` and the bench's per-thread CPU tell convoi's worker threads
 * apart: Node 20 leaves every one of them named `node`, like libuv's pool. Best effort: elsewhere,
 * or where /proc is not mounted, the thread keeps its name.
 */
export function nameThisThread(name: string): void {
  try {
    writeFileSync('/proc/thread-self/comm', name.slice(0, 15));
  } catch {
    // Not Linux, or no /proc: the name is only for people and the bench.
  }
}
