import { ConfigSlice } from '#src/config/config-slice.js';

/** How often the containers' state is checkpointed (unset: by store, `checkpointEveryMs` in state-checkpoint.ts). */
export class StateCheckpointConfig extends ConfigSlice('STATE_CHECKPOINT_MS') {}
