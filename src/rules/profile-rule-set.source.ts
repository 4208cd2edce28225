import { Injectable, Logger } from '@nestjs/common';
import { ActiveShipments } from '#src/fleet/active-shipments.service.js';
import { ShipmentsService } from '#src/shipments/shipments.service.js';
import type { ProductProfile } from './profiles/product-profile.js';
import { containerDefaultRules, rulesForProfile } from './profiles/profile-rules.js';
import { ProfilesService } from './profiles/profiles.service.js';
import type { RuleDefinition } from './rule-definition.js';
import { RuleSetSource } from './rule-set.source.js';

/**
 * Rules from the active shipment's product profile with the shipment's overrides; container
 * defaults without a shipment. Rule sets are cached per shipment and rebuilt whenever the
 * shipments change (ActiveShipments.version), so the hot path does one Map lookup.
 */
@Injectable()
export class ProfileRuleSetSource extends RuleSetSource {
  private readonly logger = new Logger(ProfileRuleSetSource.name);
  private readonly defaults = containerDefaultRules();
  private cache = new Map<string, readonly RuleDefinition[]>();
  private cachedVersion = -1;

  constructor(
    private readonly active: ActiveShipments,
    private readonly shipments: ShipmentsService,
    private readonly profiles: ProfilesService,
  ) {
    super();
  }

  rulesFor(_containerId: string, shipmentId: string | undefined): readonly RuleDefinition[] {
    if (shipmentId === undefined) return this.defaults;
    if (this.cachedVersion !== this.active.version) {
      this.cache = new Map();
      this.cachedVersion = this.active.version;
    }
    let rules = this.cache.get(shipmentId);
    if (!rules) {
      rules = this.build(shipmentId);
      this.cache.set(shipmentId, rules);
    }
    return rules;
  }

  private build(shipmentId: string): readonly RuleDefinition[] {
    try {
      const shipment = this.shipments.require(shipmentId);
      const profile = this.profiles.require(shipment.profileId);
      return rulesForProfile(profile as unknown as ProductProfile, shipment.overrides);
    } catch (err) {
      // A shipment whose profile cannot give rules still gets the device-health defaults,
      // and the problem is said once per rule-set build.
      this.logger.error(`no profile rules for shipment ${shipmentId}: ${String(err)}`);
      return this.defaults;
    }
  }
}
