import { ConfigSlice } from '#src/config/config-slice.js';

/** The settings the embedded broker reads (its thread logs as the process does, hence the log settings). */
export class BrokerConfig extends ConfigSlice(
  'BROKER_EMBEDDED',
  'BROKER_HOST',
  'BROKER_PORT',
  'BROKER_THREAD',
  'BROKER_ALLOW_ANONYMOUS',
  'BROKER_MAX_PACKET_BYTES',
  'BROKER_KEEPALIVE_MAX_S',
  'BROKER_CONNECT_TIMEOUT_MS',
  'BROKER_MAX_CONNECTIONS',
  'BROKER_PUBLISH_RATE_PER_S',
  'BROKER_PUBLISH_BURST',
  'BROKER_CONNECTIONS_PER_IP_PER_MIN',
  'BROKER_AUTH_FAILURES_PER_IP_PER_MIN',
  'BROKER_BAN_DURATION_S',
  'BROKER_BAN_EXEMPT',
  'BROKER_INBOX_HIGH_WATER',
  'BROKER_REDIS_URL',
  'BROKER_TLS_PORT',
  'BROKER_TLS_CERT_FILE',
  'BROKER_TLS_KEY_FILE',
  'DATA_DIR',
  'LOG_LEVEL',
  'LOG_FORMAT',
) {}
