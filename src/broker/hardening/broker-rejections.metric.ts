import type { Counter } from 'prom-client';
import type { Metrics } from '#src/common/metrics.js';

/**
 * Why the MQTT edge refused something. A closed list, so the `reason` label of
 * `convoi_broker_rejected_total` stays bounded.
 */
export const BROKER_REJECTION_REASONS = [
  'packet_too_large',
  'malformed',
  'first_packet_not_connect',
  'second_connect',
  'server_only_packet',
  'protocol_version',
  'will_qos',
  'will_flags',
  'password_without_username',
  'client_id',
  'client_id_too_long',
  'empty_client_id_persistent',
  'keepalive',
  'connect_timeout',
  'username',
  'topic_invalid',
  'topic_too_long',
  'topic_levels',
  'packet_id_zero',
  'publish_rate',
  'max_connections',
  'connection_rate',
  'banned',
  'auth_failed',
  'client_id_mismatch',
  'client_id_taken',
  'acl_publish',
  'acl_subscribe',
  'revoked',
  'slow_consumer',
  /** A PROXY header from an address not in BROKER_PROXY_PROTOCOL_FROM. */
  'proxy_header_untrusted',
  /** A trusted balancer's connection without a valid PROXY header (missing, malformed, truncated). */
  'proxy_header_invalid',
  /** A trusted balancer's connection whose PROXY header did not complete in time. */
  'proxy_header_timeout',
] as const;

export type BrokerRejectionReason = (typeof BROKER_REJECTION_REASONS)[number];

/** The counter every refusal at the MQTT edge is counted in. */
export function brokerRejections(metrics: Metrics): Counter<'reason'> {
  return metrics.counter(
    'convoi_broker_rejected_total',
    'MQTT connections or packets refused by the broker edge, by reason',
    ['reason'],
  );
}
