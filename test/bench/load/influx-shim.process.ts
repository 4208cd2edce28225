// The test harness's v2 write shim in a process of its own: the InfluxDB scenarios report its CPU
// apart from convoi's, influxd's and the bench's (in the bench process it would hide in the latter).
// Argument: influxd's URL. Answers { type: 'ready', url } and stops when the IPC channel closes.
import { startShim } from '#test/support/influx/index.js';

const front = await startShim(process.argv[2]);
process.send?.({ type: 'ready', url: front.url });
process.once('disconnect', () => void front.close().then(() => process.exit(0)));
