import { Injectable, Logger } from '@nestjs/common';
import { DomainEvents } from '#src/common/events/domain-events.js';
import { ShipmentsService } from '#src/shipments/shipments.service.js';
import type { ProductProfile } from '#src/profiles/product-profile.js';
import { containerDefaultRules, rulesForProfile } from '#src/rules/profile-rules.js';
import { ProfilesService } from '#src/profiles/profiles.service.js';
import type { RuleDefinition } from '#src/contracts/rule-definition.js';
import { RuleSetSource } from './rule-set.source.js';

/**
 * Rules from the active shipment's product profile with the shipment's overrides; container
 * defaults without a shipment. Rule sets are cached per shipment, and a shipment's is rebuilt
 * after it changes (`shipments.active-changed`), every one after a profile changes, so the hot path
 * does one Map lookup.
 */
@Injectable()
export class ProfileRuleSetSource extends RuleSetSource {
  private readonly logger = new Logger(ProfileRuleSetSource.name);
  private readonly defaults = containerDefaultRules();
  private readonly cache = new Map<string, readonly RuleDefinition[]>();

  constructor(
    events: DomainEvents,
    private readonly shipments: ShipmentsService,
    private readonly profiles: ProfilesService,
  ) {
    super();
    events.on('shipments.active-changed', ({ shipmentId }) =>
      shipmentId === undefined ? this.cache.clear() : this.cache.delete(shipmentId),
    );
    // A profile's new limits apply from the next reading of every shipment that uses it.
    events.on('profile.changed', () => this.cache.clear());
  }

  rulesFor(_containerId: string, shipmentId: string | undefined): readonly RuleDefinition[] {
    if (shipmentId === undefined) return this.defaults;
    let rules = this.cache.get(shipmentId);
    if (!rules) {
      rules = this.build(shipmentId);
      this.cache.set(shipmentId, rules);
    }
    return rules;
  }

  private build(shipmentId: string): readonly RuleDefinition[] {
    try {
      // From memory: a reading carries the id of its container's active shipment.
      const shipment = this.shipments.activeShipment(shipmentId);
      if (shipment === undefined) throw new Error(`shipment ${shipmentId} is not active`);
      const profile = this.profiles.require(shipment.profileId);
      return rulesForProfile(profile as unknown as ProductProfile, shipment.overrides);
    } catch (err) {
      // A shipment whose profile cannot give rules still gets the device-health defaults,
      // and the problem is said once per rule-set build.
      this.logger.error({ shipmentId, err }, 'No profile rules for the shipment');
      return this.defaults;
    }
  }
}
