import { createServer } from 'node:http';
let n = 0; let first = 0; const buckets = new Map();
const server = createServer((req, res) => {
  const t = performance.now(); if (!first) first = t;
  const b = Math.floor((t - first) / 100); buckets.set(b, (buckets.get(b) ?? 0) + 1);
  const e = performance.now() + 0.2; while (performance.now() < e);
  res.end('{"ok":true}');
}).listen(0, '127.0.0.1', () => process.send(server.address().port));
process.on('message', () => { process.send([...buckets].slice(0, 20).map(([, n]) => n).join(' ')); });
