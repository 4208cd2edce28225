import { Clock, ManualClock } from '#src/common/clock.js';
import { SqliteDatabase } from '#src/storage/sqlite-database.js';
import { StateCheckpoint } from '#src/storage/state-checkpoint.js';
import { SqliteContainerStates } from './sqlite-container-states.js';
import { StateOptions } from './state.options.js';

/** The state owner over `db`, initialised (its stored states loaded), for specs. */
export function openContainerStates(
  db: SqliteDatabase,
  clock: Clock = new ManualClock(0),
  partitions = 64,
  checkpoint = new StateCheckpoint(db, clock),
  ownedAtStart?: readonly number[],
): SqliteContainerStates {
  const options = Object.assign(new StateOptions(), { partitions, ownedAtStart });
  const states = new SqliteContainerStates(db, clock, checkpoint, options);
  states.onModuleInit();
  return states;
}
