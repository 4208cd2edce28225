export { startInflux, type InfluxServer, type InfluxQueryResult } from './influx-server.js';
export { startShim, rewriteV2Path, type HttpFront } from './influx-v2-shim.js';
export { startFaultProxy, type FaultMode, type FaultProxy, type ProxiedRequest } from './fault-proxy.js';
export { influxSkipReason, influxdInstalled, INFLUXD_PATH } from './influx-availability.js';
