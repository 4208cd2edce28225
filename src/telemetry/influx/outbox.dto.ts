import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** Paging of the dead letters in `GET /api/v1/admin/outbox`. */
export class OutboxListQueryDto {
  /** Dead letters per page (1..500). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  /** Cursor: the `next` value of the previous page. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  after?: number;
}

/** Path parameter naming one dead letter. */
export class DeadLetterIdParamsDto {
  /** Id of the dead letter, as listed by `GET /api/v1/admin/outbox`. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  id: number;
}
