import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsEntityId } from '#src/common/validation/is-entity-id.decorator.js';
import { ContainerReadingsService, type ReadingsResult } from './container-readings.service.js';
import { ContainersService, type ContainerView, type Page } from './containers.service.js';
import { ReadingsQueryDto } from './dto/readings-query.dto.js';

export class ListQueryDto {
  /** Page size, 1–500 (default 100). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit = 100;

  /** `nextCursor` of the previous page. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class ContainerIdParams {
  @IsEntityId()
  id: string;
}

@ApiTags('containers')
@Controller('containers')
export class ContainersController {
  constructor(
    private readonly containers: ContainersService,
    private readonly readings: ContainerReadingsService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List containers with their live state' })
  list(@Query() query: ListQueryDto): Page<ContainerView> {
    return this.containers.list(query.cursor, query.limit);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A container and its live state (newest value of each measurement)' })
  get(@Param() params: ContainerIdParams): ContainerView {
    return this.containers.get(params.id);
  }

  @Get(':id/readings')
  @ApiOperation({ summary: "A container's readings, raw or aggregated (`every`, `fn`)" })
  readingsOf(@Param() params: ContainerIdParams, @Query() query: ReadingsQueryDto): Promise<ReadingsResult> {
    return this.readings.query(params.id, query);
  }
}
