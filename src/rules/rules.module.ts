import { Module } from '@nestjs/common';
import { FleetModule } from '#src/fleet/fleet.module.js';
import { IngestionModule } from '#src/ingestion/ingestion.module.js';
import { RuleEngine } from './rule-engine.service.js';
import { RuleEvents } from './rule-events.js';
import { ShipmentsModule } from '#src/shipments/shipments.module.js';
import { ProfileRuleSetSource } from './profile-rule-set.source.js';
import { ProfilesModule } from '#src/profiles/profiles.module.js';
import { RuleSetSource } from './rule-set.source.js';
import { RuleStateStore } from './rule-state.store.js';
import { configSliceProvider } from '#src/config/config-slice.js';
import { RulesConfig } from './rules.config.js';

/** Cold-chain rules: the engine, its persisted state, and the events alerts listen to. */
@Module({
  imports: [IngestionModule, FleetModule, ShipmentsModule, ProfilesModule],
  providers: [
    configSliceProvider(RulesConfig),
    RuleEngine,
    RuleEvents,
    RuleStateStore,
    { provide: RuleSetSource, useClass: ProfileRuleSetSource },
  ],
  exports: [RuleEvents, RuleEngine],
})
export class RulesModule {}
