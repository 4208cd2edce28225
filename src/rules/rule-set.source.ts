import type { RuleDefinition } from '#src/contracts/rule-definition.js';

/**
 * Which rules judge a container's readings: its active shipment's profile rules (with the
 * shipment's overrides), else the container-level defaults (offline, battery).
 */
export abstract class RuleSetSource {
  abstract rulesFor(containerId: string, shipmentId: string | undefined): readonly RuleDefinition[];
}
