/** Kinds of integration credentials (table `integration_credentials`). */
export const INTEGRATION_KINDS = ['chirpstack', 'tts', 'operator', 'platform'] as const;
export type IntegrationKind = (typeof INTEGRATION_KINDS)[number];

/**
 * Who an authenticated MQTT client is. The topic ACL decides on this alone.
 * - `device`: one sensor speaking MQTT directly; username = client id = device id.
 * - `chirpstack` / `tts`: a network-server integration, confined to its topic tree
 *   (`topicRoot`, e.g. `application` or `application/42`).
 * - `operator`: a person's or tool's read-only view (alerts, `$SYS`).
 * - `platform`: convoi's own consumer and alert publisher.
 * - `anonymous`: BROKER_ALLOW_ANONYMOUS, development only.
 */
export type Principal =
  | { kind: 'device'; name: string }
  | { kind: 'chirpstack' | 'tts'; name: string; topicRoot: string }
  | { kind: 'operator' | 'platform'; name: string }
  | { kind: 'anonymous'; name: 'anonymous' };

/** The default (widest) topic tree of each network-server integration. */
export const INTEGRATION_TOPIC_ROOTS = { chirpstack: 'application', tts: 'v3' } as const;
