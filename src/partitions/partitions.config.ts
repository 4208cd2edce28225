import { ConfigSlice } from '#src/config/config-slice.js';

/** The partition count (`PARTITIONS`), fixed for the life of the data. */
export class PartitionsConfig extends ConfigSlice('PARTITIONS') {}
