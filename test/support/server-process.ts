import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';

/** How long a server the harness started may take to answer, and a stop to end before SIGKILL. */
const START_WAIT_MS = 10_000;
const STOP_WAIT_MS = 5000;

/**
 * Waits until a server the harness spawned answers (`answers`: a ping, a TCP accept), at most
 * 10 s; throws when it exits first or never answers, with `detail()` (its output) when given.
 */
export async function waitUntilAnswering(
  name: string,
  child: ChildProcess,
  answers: () => Promise<boolean>,
  detail: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + START_WAIT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} ${detail()}`.trim());
    if (await answers()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${name} did not answer within ${START_WAIT_MS / 1000} s ${detail()}`.trim());
}

/**
 * Sends `signal` to a child still running and waits for it to end; SIGKILL after 5 s if it has
 * not (a stop must not hang a test).
 */
export async function signalAndWait(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_WAIT_MS);
  await gone;
  clearTimeout(timer);
}

/** Whether a TCP connection to the loopback port is accepted within 1 s. */
export function acceptsTcp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => done(true));
  });
}
