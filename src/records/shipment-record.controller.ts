import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Actor } from '#src/auth/actor.decorator.js';
import { Requires } from '#src/auth/roles.decorator.js';
import { ApiProblems } from '#src/common/http/api-problems.decorator.js';
import { ShipmentIdParams } from '#src/shipments/dto/shipment.dto.js';
import { ServedRecordDto } from './served-record.dto.js';
import { DispositionDecisionDto, RecordQueryDto } from './shipment-record.dto.js';
import { shipmentRecordHtml } from './shipment-record.html.js';
import { ShipmentRecordService, type ServedRecord } from './shipment-record.service.js';

@ApiTags('shipments')
@Requires('viewer')
@Controller('shipments/:id/record')
export class ShipmentRecordController {
  constructor(private readonly records: ShipmentRecordService) {}

  @Get()
  @ApiOperation({
    summary: 'Compliance record: temperatures, MKT, excursions, shocks, gaps, alerts, disposition',
  })
  @ApiExtraModels(ServedRecordDto)
  @ApiOkResponse({
    description: 'JSON record; `?format=csv` the temperature series; `?format=html` printable.',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(ServedRecordDto) } },
      'text/csv': {
        schema: { type: 'string', description: 'RFC 4180, columns `measured_at,temperature_c,status`.' },
      },
      'text/html': { schema: { type: 'string', description: 'A printable page.' } },
    },
  })
  @ApiProblems(400, 404)
  async get(
    @Param() params: ShipmentIdParams,
    @Query() query: RecordQueryDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<ServedRecord | string> {
    switch (query.format ?? 'json') {
      case 'csv':
        res.type('text/csv; charset=utf-8');
        res.header('Content-Disposition', `attachment; filename="${params.id}-temperature.csv"`);
        return this.records.csv(params.id);
      case 'html':
        res.type('text/html; charset=utf-8');
        return shipmentRecordHtml(await this.records.record(params.id));
      default:
        return this.records.record(params.id);
    }
  }

  @Post('disposition')
  @Requires('planner')
  @HttpCode(200)
  @ApiOperation({ summary: 'Confirm or override the computed disposition (kept with the key name)' })
  @ApiOkResponse({ type: ServedRecordDto, description: 'The record with the confirmed disposition.' })
  @ApiProblems(400, 404, 409)
  decide(
    @Param() params: ShipmentIdParams,
    @Body() body: DispositionDecisionDto,
    @Actor() actor: string,
  ): Promise<ServedRecord> {
    return this.records.decide(params.id, body.decision, body.reason, actor);
  }
}
