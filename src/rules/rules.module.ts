import { Module } from '@nestjs/common';
import { FleetModule } from '#src/fleet/fleet.module.js';
import { RuleEngine } from './rule-engine.service.js';
import { ShipmentsModule } from '#src/shipments/shipments.module.js';
import { ProfileRuleSetSource } from './profile-rule-set.source.js';
import { ProfilesModule } from '#src/profiles/profiles.module.js';
import { RuleSetSource } from './rule-set.source.js';
import { RuleStateStore } from './rule-state.store.js';
import { configSliceProvider } from '#src/config/config-slice.js';
import { RulesConfig } from './rules.config.js';

/** Cold-chain rules: the engine and its persisted state; conclusions leave as `rule.concluded`. */
@Module({
  imports: [FleetModule, ShipmentsModule, ProfilesModule],
  providers: [
    configSliceProvider(RulesConfig),
    RuleEngine,
    RuleStateStore,
    { provide: RuleSetSource, useClass: ProfileRuleSetSource },
  ],
  exports: [RuleEngine, RuleStateStore],
})
export class RulesModule {}
