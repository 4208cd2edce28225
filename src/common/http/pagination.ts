import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DomainError } from '#src/common/domain-error.js';

/** One page of a list: keyset pagination, stable under inserts (no item lost or repeated). */
export interface Page<T> {
  items: T[];
  /** Pass as `cursor` to get the next page; absent on the last page. */
  nextCursor?: string;
}

/** `limit` and `cursor`, accepted by every list. */
export class ListQueryDto {
  @ApiPropertyOptional({ description: 'Page size, 1–500.', default: 100, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit = 100;

  @ApiPropertyOptional({ description: '`nextCursor` of the previous page (opaque).' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

/** OpenAPI shape of a page (items are described per route). */
export class PageMetaDto {
  @ApiProperty({ required: false, description: 'Cursor of the next page; absent on the last page.' })
  nextCursor?: string;
}

/** Cursors are opaque to clients: base64url of the last key seen. */
export function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (encodeCursor(key) !== cursor)
    throw new DomainError('invalid', 'common.bad-cursor', 'cursor is not valid');
  return key;
}

/** The cursor's key, or undefined for the first page. */
export function afterKey(query: { cursor?: string }): string | undefined {
  return query.cursor === undefined ? undefined : decodeCursor(query.cursor);
}

/**
 * Turns `limit + 1` rows fetched after a key into a page: the extra row only tells that there is
 * a next page, so no count query is needed.
 */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  keyOf: (row: R) => string,
  map: (row: R) => T,
): Page<T> {
  const items = rows.slice(0, limit);
  const page: Page<T> = { items: items.map(map) };
  if (rows.length > limit) page.nextCursor = encodeCursor(keyOf(items[items.length - 1]));
  return page;
}
