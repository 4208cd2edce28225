import { applyDecorators } from '@nestjs/common';
import { IsString, Matches, MaxLength } from 'class-validator';
import { ID_MAX_LENGTH, ID_PATTERN } from '#src/contracts/identifiers.js';

/** A convoi identifier (see src/contracts/identifiers.ts): 1–64 of `A-Z a-z 0-9 . _ -`. */
export function IsEntityId(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    MaxLength(ID_MAX_LENGTH),
    Matches(ID_PATTERN, {
      message: '$property must be 1-64 characters of letters, digits, ".", "_" or "-", without ".."',
    }),
  );
}
