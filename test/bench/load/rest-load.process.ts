// The REST clients in their own process, as the devices are: an open-loop paced client, or
// autocannon paced at a rate, over keep-alive connections. In the bench process its timings shared one event loop with the
// stored-probe's synchronous SQLite polls, so a response could wait there for a poll to end
// and its latency was the bench's, not the platform's.
import autocannon from 'autocannon';
import { containerId } from '../support/bench-fleet.js';
import { pacedGet } from './paced-http.client.js';
import { answerCommands } from '../support/child-process.js';
import type { RestLoadCommand, RestLoadReport } from './rest-load.protocol.js';

const randomContainerPath = (containers: number) =>
  `/api/v1/containers/${containerId(Math.floor(Math.random() * containers))}`;

async function run(cmd: RestLoadCommand): Promise<RestLoadReport> {
  if (cmd.client === 'paced') {
    const result = await pacedGet({
      url: cmd.url,
      headers: { authorization: `Bearer ${cmd.apiKey}` },
      path: () => randomContainerPath(cmd.containers),
      ratePerS: cmd.ratePerS,
      seconds: cmd.seconds,
      connections: cmd.connections,
    });
    return { type: 'ran', ...result };
  }
  const result = await autocannon({
    url: cmd.url,
    connections: cmd.connections,
    duration: cmd.seconds,
    overallRate: cmd.ratePerS,
    headers: { authorization: `Bearer ${cmd.apiKey}` },
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          method: 'GET',
          path: randomContainerPath(cmd.containers),
        }),
      },
    ],
  });
  return {
    type: 'ran',
    requestsPerS: Math.round(result.requests.average),
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

answerCommands('rest load', run);
process.on('disconnect', () => process.exit(0));
