import { createServer } from 'node:http';
import { forward, listen, type HttpFront } from './influx-v2-shim.js';

/** What the proxy does with the requests it targets (tests switch it at run time). */
export type FaultMode =
  | { kind: 'pass' }
  | { kind: 'status'; status: number; retryAfter?: string; body?: string }
  | { kind: 'delay'; ms: number }
  | { kind: 'cut' };

export interface ProxiedRequest {
  at: number;
  method: string;
  path: string;
  /** The body's `Content-Encoding` (`gzip`), absent when sent as is. */
  contentEncoding?: string;
  /** What the proxy did with it. */
  fault: FaultMode['kind'];
}

export interface FaultProxy extends HttpFront {
  /** Applies `mode` to the next `times` targeted requests (all of them when omitted), then passes. */
  set(mode: FaultMode, times?: number): void;
  /** Every request seen, in arrival order. */
  readonly requests: readonly ProxiedRequest[];
  /** Requests seen whose path starts with `prefix`. */
  count(prefix?: string): number;
}

/**
 * A fault-injecting HTTP proxy for the tests: placed in front of the shim, it answers a status
 * (with an optional `Retry-After`), delays, or cuts the connection, instead of a fake database.
 * By default only writes are targeted, so tests can still read back through it.
 */
export async function startFaultProxy(
  targetUrl: string,
  targetPrefix = '/api/v2/write',
): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  const requests: ProxiedRequest[] = [];
  let mode: FaultMode = { kind: 'pass' };
  let remaining = Infinity;

  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    let applied: FaultMode = { kind: 'pass' };
    if (path.startsWith(targetPrefix) && mode.kind !== 'pass' && remaining > 0) {
      applied = mode;
      remaining -= 1;
      if (remaining === 0) mode = { kind: 'pass' };
    }
    requests.push({
      at: Date.now(),
      method: req.method ?? 'GET',
      path,
      contentEncoding: req.headers['content-encoding'],
      fault: applied.kind,
    });
    switch (applied.kind) {
      case 'pass':
        forward(req, res, target, path);
        return;
      case 'delay': {
        const timer = setTimeout(() => forward(req, res, target, path), applied.ms);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      case 'cut':
        req.socket.destroy();
        return;
      case 'status': {
        const status = applied;
        // Read the body first, as a real server does, so the client is not cut mid-upload.
        req.resume();
        req.on('end', () => {
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (status.retryAfter !== undefined) headers['retry-after'] = status.retryAfter;
          res.writeHead(status.status, headers);
          res.end(status.body ?? JSON.stringify({ code: 'injected', message: `injected ${status.status}` }));
        });
        return;
      }
    }
  });
  const front = await listen(server);
  return {
    ...front,
    set(next: FaultMode, times?: number) {
      mode = next;
      remaining = times ?? Infinity;
    },
    requests,
    count: (prefix = '') => requests.filter((r) => r.path.startsWith(prefix)).length,
  };
}
