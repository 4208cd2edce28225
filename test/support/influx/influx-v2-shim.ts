import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpFront {
  /** Base URL to give to clients. */
  url: string;
  close(): Promise<void>;
}

/** v2 spells nano/microseconds `ns`/`us`, v1 `n`/`u`; `ms` and `s` are the same in both. */
const PRECISIONS: Record<string, string> = { ns: 'n', us: 'u', ms: 'ms', s: 's' };

/**
 * Rewrites a v2 write into a v1 one, as InfluxDB 1.8+'s compatibility layer does:
 * `bucket=DB/RP` becomes `db=DB&rp=RP`, `org` is dropped. Other paths go through as they are.
 */
export function rewriteV2Path(originalUrl: string): string | { error: string } {
  const parsed = new URL(originalUrl, 'http://shim');
  if (parsed.pathname !== '/api/v2/write') return originalUrl;
  const bucket = parsed.searchParams.get('bucket');
  if (!bucket) return { error: 'bucket is required' };
  const slash = bucket.indexOf('/');
  const db = slash < 0 ? bucket : bucket.slice(0, slash);
  const rp = slash < 0 ? '' : bucket.slice(slash + 1);
  const precision = PRECISIONS[parsed.searchParams.get('precision') ?? 'ns'];
  if (!precision) return { error: `unsupported precision ${parsed.searchParams.get('precision')}` };
  const target = new URLSearchParams({ db, precision });
  if (rp) target.set('rp', rp);
  return `/write?${target.toString()}`;
}

/** Streams `req` to `target + path` and the answer back untouched; 502 when the target is down. */
export function forward(req: IncomingMessage, res: ServerResponse, target: URL, path: string): void {
  const headers = { ...req.headers, host: target.host };
  const upstream = request(
    { host: target.hostname, port: target.port, method: req.method, path, headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
      answer.pipe(res);
    },
  );
  upstream.on('error', (error) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code: 'unavailable', message: `upstream: ${error.message}` }));
  });
  req.on('aborted', () => upstream.destroy());
  req.pipe(upstream);
}

export function listen(server: ReturnType<typeof createServer>): Promise<HttpFront> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/**
 * The v2-write shim the test harness puts in front of influxd 1.6 (which has no /api/v2/write).
 * Bodies stream through untouched, including `Content-Encoding: gzip` and chunked transfer.
 */
export function startShim(targetUrl: string): Promise<HttpFront> {
  const target = new URL(targetUrl);
  const server = createServer((req, res) => {
    const path = rewriteV2Path(req.url ?? '/');
    if (typeof path !== 'string') {
      req.resume();
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'invalid', message: path.error }));
      return;
    }
    forward(req, res, target, path);
  });
  return listen(server);
}
