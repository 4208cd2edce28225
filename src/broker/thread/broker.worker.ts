// Entry of the broker thread: the embedded broker and its write-ahead inbox, on their own core.
// The main thread keeps the pipeline, the stores and the API; see broker-thread.runtime.ts.
import { Logger } from '@nestjs/common';
import { parentPort, workerData } from 'node:worker_threads';
import { Clock } from '#src/common/clock.js';
import { Metrics } from '#src/common/metrics.js';
import { nameThisThread } from '#src/common/thread-name.js';
import { useStructuredLogs } from '#src/logging/structured-logs.js';
import type { BrokerSettings } from '../broker-settings.js';
import { EmbeddedBroker } from '../embedded-broker.js';
import { createIngestJournal } from '../inbox/ingest-journal.factory.js';
import { packMessages, transferablesOf } from '../inbox/packed-messages.js';
import type { FromBrokerThread, ToBrokerThread } from './broker-thread.messages.js';
import { RemoteCredentials } from './remote-credentials.js';

const port = parentPort;
if (port === null) throw new Error('broker.worker.js runs as a worker thread only');
const settings = workerData as BrokerSettings;
nameThisThread('convoi-broker');
useStructuredLogs(settings.log, process.stdout, 'broker');
const logger = new Logger('BrokerThread');

const send = (message: FromBrokerThread, transfer?: ArrayBuffer[]): void =>
  port.postMessage(message, transfer);
const metrics = new Metrics();
const credentials = new RemoteCredentials(send);
const journal = createIngestJournal(settings, metrics, (messages) => {
  const batch = packMessages(messages);
  send({ kind: 'committed', batch }, transferablesOf(batch));
});
let broker: EmbeddedBroker | undefined;

port.on('message', (message: ToBrokerThread) => {
  switch (message.kind) {
    case 'verified':
    case 'credential-changed':
      credentials.receive(message);
      return;
    case 'complete':
      journal.complete(message.lastId);
      return;
    case 'forget':
      journal.forget(message.position);
      return;
    case 'publish':
      broker
        ?.publish({
          topic: message.topic,
          payload: Buffer.from(message.payload),
          qos: message.qos,
          retain: message.retain,
        })
        .catch((err: unknown) => logger.error({ topic: message.topic, err }, 'Publishing failed'));
      return;
    case 'metrics':
      void metrics.registry
        .getMetricsAsJSON()
        .then((json) => send({ kind: 'metrics', id: message.id, metrics: json }));
      return;
    case 'close':
      void close();
      return;
  }
});

async function close(): Promise<void> {
  await broker?.close();
  journal.close();
  // The thread ends once its port and sockets are closed; the main thread waits for its exit.
  port?.close();
}

try {
  broker = await EmbeddedBroker.start({
    settings,
    credentials,
    metrics,
    clock: new Clock(),
    ingest: (topic, payload, acknowledge) => journal.append(topic, payload, acknowledge),
  });
  send({ kind: 'listening', port: broker.port() ?? settings.port, tlsPort: broker.tlsPort() });
} catch (err) {
  journal.close();
  send({ kind: 'start-failed', error: err instanceof Error ? err.message : String(err) });
}
