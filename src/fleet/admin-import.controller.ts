import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Requires } from '#src/auth/roles.decorator.js';
import { ApiProblems } from '#src/common/http/api-problems.decorator.js';
import { FleetSeedDto } from './dto/fleet-seed.dto.js';
import { FleetImportService, type ImportSummary } from './fleet-import.service.js';

export class ImportSummaryDto {
  @ApiProperty({ description: 'Sites in the file (created or updated).' })
  sites: number;
  @ApiProperty()
  containers: number;
  @ApiProperty()
  devices: number;
  @ApiProperty({ description: 'Devices put on another container by this import.' })
  bindingsChanged: number;
}

@ApiTags('admin')
@Requires('admin')
@Controller('admin/import')
export class AdminImportController {
  constructor(private readonly importer: FleetImportService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Import a fleet description (sites, containers, devices); idempotent: a second import changes nothing',
  })
  @ApiOkResponse({ type: ImportSummaryDto })
  @ApiProblems(400, 409)
  import(@Body() body: FleetSeedDto): Promise<ImportSummary> {
    return this.importer.import(body);
  }
}
