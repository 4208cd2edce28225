import { ConfigSlice } from '#src/config/config-slice.js';

/** The load balancers whose connections to the MQTT edge open with a PROXY protocol header. */
export class ProxyProtocolConfig extends ConfigSlice('BROKER_PROXY_PROTOCOL_FROM') {}
