import { ConfigSlice } from '#src/config/config-slice.js';

/** How often the containers' state is checkpointed (unset: by store, {@link checkpointEveryMs}). */
export class StateCheckpointConfig extends ConfigSlice('STATE_CHECKPOINT_MS') {}
