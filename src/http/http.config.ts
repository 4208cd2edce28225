import { ConfigSlice } from '#src/config/config-slice.js';

/** The settings the REST shell reads: its TLS files, and whether the broker is embedded (health, readiness). */
export class HttpConfig extends ConfigSlice('HTTP_TLS_CERT_FILE', 'HTTP_TLS_KEY_FILE', 'BROKER_EMBEDDED') {}
