import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { cpuSeconds, processTreeCpuSeconds } from './proc-stats.js';

/** A shell whose child burns `seconds` of CPU, then the shell waits on stdin: only its descendant works. */
function parentOfBusyChild(seconds: number) {
  const burn = `const end = process.cpuUsage().user + ${seconds * 1e6}; while (process.cpuUsage().user < end);`;
  return spawn('sh', ['-c', `"${process.execPath}" -e '${burn}' & wait; read _`], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
}

describe(processTreeCpuSeconds.name, () => {
  it('counts the CPU of its child, while it runs and once it ended and was reaped', async () => {
    const parent = parentOfBusyChild(0.3);
    try {
      const pid = parent.pid ?? 0;
      const own = cpuSeconds(pid);
      // While the child runs, its CPU shows in the tree; once reaped, in the parent's cutime.
      let tree = 0;
      for (let i = 0; i < 100 && tree < 0.25; i++) {
        await new Promise((r) => setTimeout(r, 50));
        tree = processTreeCpuSeconds(pid);
      }
      assert.ok(tree >= 0.25, `tree CPU ${tree} s, expected ≥ 0.25 s`);
      assert.ok(cpuSeconds(pid) - own < 0.1, 'the shell itself stays idle');
      await new Promise((r) => setTimeout(r, 500)); // the child has ended and been waited for
      assert.ok(processTreeCpuSeconds(pid) >= tree, 'nothing lost when the child ends');
    } finally {
      parent.stdin.end();
      await once(parent, 'exit');
    }
  });

  it('is NaN for a process that is gone', () => {
    assert.ok(Number.isNaN(processTreeCpuSeconds(2 ** 22 + 1)));
  });
});
