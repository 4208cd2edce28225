import { Global, Module } from '@nestjs/common';
import { AcceptedReadingsHandler } from '#src/ingestion/accepted-readings.port.js';
import { JourneysModule } from '#src/journeys/journeys.module.js';
import { RulesModule } from '#src/rules/rules.module.js';
import { FleetModule } from '#src/fleet/fleet.module.js';
import { PartitionGate } from './partition.gate.js';
import { ReadingProcessor } from './reading-processor.service.js';

/**
 * The stages after acceptance, in one place. Global because it binds a port of ingestion, which
 * sits below it and so cannot import it (the folder graph is a tree, ARCHITECTURE.md §2).
 */
@Global()
@Module({
  imports: [FleetModule, RulesModule, JourneysModule],
  providers: [
    PartitionGate,
    ReadingProcessor,
    { provide: AcceptedReadingsHandler, useExisting: ReadingProcessor },
  ],
  exports: [AcceptedReadingsHandler],
})
export class ProcessingModule {}
