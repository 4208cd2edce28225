// An HTTP server whose every response costs a fixed 0.2 ms of CPU (about what convoi spends on a
// latest-state read) and nothing else: the floor a REST load client measures when the server is
// never the problem. Sends its port over IPC; exits when the bench disconnects.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const COST_MS = 0.2;
const server = createServer((_req, res) => {
  const until = performance.now() + COST_MS;
  while (performance.now() < until);
  res.setHeader('content-type', 'application/json');
  res.end('{"id":"C-000001","kind":"roll-cage"}');
});
server.listen(0, '127.0.0.1', () =>
  process.send?.({ type: 'listening', port: (server.address() as AddressInfo).port }),
);
process.on('disconnect', () => process.exit(0));
