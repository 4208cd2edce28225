import { DomainError } from '#src/common/domain-error.js';

/**
 * The changes a PATCH body asks for: absent fields keep their value; `null` clears a field listed
 * in `clearable` and is refused (400, naming the fields) for the others, whose column may not
 * be empty. Validation decorators let `null` through on optional fields, hence this check.
 */
export function patchOf<T extends object>(dto: T, clearable: readonly (keyof T)[] = []): Partial<T> {
  const out: Partial<T> = {};
  const refused: string[] = [];
  for (const [key, value] of Object.entries(dto) as [keyof T, T[keyof T] | null | undefined][]) {
    if (value === undefined) continue;
    if (value === null) {
      if (clearable.includes(key)) out[key] = undefined;
      else refused.push(`${String(key)} must not be null`);
      continue;
    }
    out[key] = value;
  }
  if (refused.length > 0) {
    throw new DomainError('invalid', 'common.null-field', refused.join('; '), { errors: refused });
  }
  return out;
}
