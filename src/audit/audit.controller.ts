import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Requires } from '#src/auth/roles.decorator.js';
import type { Page } from '#src/common/http/pagination.js';
import { ApiProblems } from '#src/common/http/api-problems.decorator.js';
import { AuditLog } from './audit-log.service.js';
import type { AuditEntry } from './audit.types.js';
import { AuditPageDto, AuditQueryDto } from './dto/audit-query.dto.js';

@ApiTags('audit')
@Requires('admin')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  @Get()
  @ApiOperation({ summary: 'Who did what over the API, newest first (admins only)' })
  @ApiOkResponse({ type: AuditPageDto })
  @ApiProblems(400)
  list(@Query() q: AuditQueryDto): Promise<Page<AuditEntry>> {
    return this.audit.list(
      {
        actor: q.actor,
        action: q.action,
        target: q.target,
        from: q.from === undefined ? undefined : Date.parse(q.from),
        to: q.to === undefined ? undefined : Date.parse(q.to),
      },
      q.cursor,
      q.limit,
    );
  }
}
