import { applyDecorators } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';

/** OpenAPI schema of an `application/problem+json` body (RFC 9457), as ProblemDetailsFilter writes it. */
export class ProblemDetailsDto {
  @ApiProperty({ example: 'https://convoi.dev/problems/validation' })
  type: string;
  @ApiProperty({ example: 'Bad request' })
  title: string;
  @ApiProperty({ example: 400 })
  status: number;
  @ApiProperty({ example: 'name must be a string' })
  detail: string;
  @ApiPropertyOptional({ description: 'Path of the request.' })
  instance?: string;
  @ApiPropertyOptional({ description: 'Stable error code, e.g. `shipments.illegal-transition`.' })
  code?: string;
  @ApiPropertyOptional({ type: [String], description: 'Validation errors: one message per invalid field.' })
  errors?: string[];
}

const MEANING: Record<number, string> = {
  400: 'Invalid input: the `errors` list names every invalid field.',
  404: 'No such resource.',
  409: 'Conflicts with the current state (see `code` and `detail`).',
  412: '`If-Match` does not match the current `ETag`: someone changed it; read it again.',
  428: '`If-Match` is required: send the `ETag` of your last read.',
};

/** Declares the problem+json error responses a route can answer (beyond the auth ones). */
export function ApiProblems(...statuses: (400 | 404 | 409 | 412 | 428)[]): MethodDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: MEANING[status],
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDetailsDto) } } },
      }),
    ),
  );
}
