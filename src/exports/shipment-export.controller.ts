import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Actor } from '#src/auth/actor.decorator.js';
import { Requires } from '#src/auth/roles.decorator.js';
import { AuditLog } from '#src/audit/audit-log.service.js';
import { ApiProblems } from '#src/common/http/api-problems.decorator.js';
import { ShipmentIdParams } from '#src/shipments/dto/shipment.dto.js';
import { ExportQueryDto, ShipmentExportDto } from './shipment-export.dto.js';
import { readingsCsv } from './readings-csv.serializer.js';
import { ShipmentExportService } from './shipment-export.service.js';
import type { ShipmentExport } from './shipment-export.types.js';

@ApiTags('shipments')
@Requires('admin')
@Controller('shipments')
export class ShipmentExportController {
  constructor(
    private readonly exports: ShipmentExportService,
    private readonly audit: AuditLog,
  ) {}

  @Get(':id/export')
  @ApiOperation({
    summary:
      "A shipment's full record for an auditor: shipment, compliance record, readings, alerts with " +
      'history, audit entries (JSON); `?format=csv`: the readings as CSV',
  })
  @ApiExtraModels(ShipmentExportDto)
  @ApiOkResponse({
    description: 'The export document (JSON) or the readings (CSV).',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(ShipmentExportDto) } },
      'text/csv': { schema: { type: 'string', description: 'RFC 4180, one reading a line.' } },
    },
  })
  @ApiProblems(400, 404)
  async export(
    @Param() params: ShipmentIdParams,
    @Query() query: ExportQueryDto,
    @Actor() actor: string,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<ShipmentExport | string> {
    const csv = query.format === 'csv';
    const body = csv
      ? readingsCsv(await this.exports.readingsOnly(params.id))
      : await this.exports.export(params.id, actor);
    // Reading data out is an act an auditor wants to see too, though it changes nothing.
    this.audit.record({
      actor,
      action: 'shipment.export',
      method: 'GET',
      path: `/api/v1/shipments/${params.id}/export`,
      target: params.id,
      status: 200,
    });
    if (csv) {
      res.type('text/csv; charset=utf-8');
      res.header('Content-Disposition', `attachment; filename="shipment-${params.id}-readings.csv"`);
    }
    return body;
  }
}
