import { Injectable, ValidationPipe, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { ID_MAX_LENGTH, ID_PATTERN } from '#src/contracts/identifiers.js';
import { IsEntityId } from '#src/common/validation/is-entity-id.decorator.js';

/** The `:id` route parameter as the DTO-based check declares it (used to word refusals). */
class IdParams {
  @IsEntityId()
  id: string;
}

/**
 * Checks a route's `:id` (`@Param('id', EntityIdPipe) id: string`) as `@IsEntityId()` does, with
 * one regular expression for a valid id instead of class-transformer + class-validator on a
 * params DTO (~7 % of the CPU of a REST read). An invalid id goes through the very ValidationPipe
 * check of {@link IdParams}, so the 400 problem+json lists the same messages as before.
 */
@Injectable()
export class EntityIdPipe implements PipeTransform<unknown, string | Promise<string>> {
  private readonly refusals = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true });

  transform(value: unknown, _metadata: ArgumentMetadata): string | Promise<string> {
    if (typeof value === 'string' && value.length <= ID_MAX_LENGTH && ID_PATTERN.test(value)) return value;
    return this.refuse(value);
  }

  private async refuse(value: unknown): Promise<string> {
    // Throws IsEntityId's 400; should the DTO accept what the quick check did not, the id passes.
    await this.refusals.transform({ id: value }, { type: 'param', metatype: IdParams });
    return value as string;
  }
}
