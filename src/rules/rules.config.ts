import { ConfigSlice } from '#src/config/config-slice.js';

/** The settings the rule engine reads. */
export class RulesConfig extends ConfigSlice('RULES_TICK_MS') {}
