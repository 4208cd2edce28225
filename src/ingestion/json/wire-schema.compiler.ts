/**
 * A wire format's schema, declared once as data and compiled once into a validator function
 * (`compileWireSchema`). The wording of each message is class-validator's, which the REST DTOs
 * and the rejections devices have always received use.
 */

/** A finite number within [min, max]; `integer` also refuses fractions. */
export interface NumberRule {
  kind: 'number';
  min: number;
  max: number;
  integer?: boolean;
  required?: boolean;
}

/** One of a fixed list of strings. */
export interface EnumRule {
  kind: 'enum';
  values: readonly string[];
  required?: boolean;
}

/** A rule no table can say (a timestamp): `problem` returns why the value is refused, if it is. */
export interface CustomRule {
  kind: 'custom';
  problem: (value: unknown) => string | undefined;
  required?: boolean;
}

/** A nested object of exactly these fields. */
export interface ObjectRule {
  kind: 'object';
  fields: WireSchema;
  required?: boolean;
}

export type FieldRule = NumberRule | EnumRule | CustomRule | ObjectRule;

/** The fields an object may have, in the order their problems are reported. */
export type WireSchema = Readonly<Record<string, FieldRule>>;

/** One refused field. `range` when the value has the right type but lies outside its bounds. */
export interface SchemaViolation {
  readonly range: boolean;
  readonly message: string;
}

/** Returns undefined for a valid object, else every violation, in the schema's field order. */
export type WireValidator = (item: object) => SchemaViolation[] | undefined;

type Found = SchemaViolation[] | undefined;
type FieldCheck = (value: unknown, found: Found) => Found;

const MAX_UNKNOWN_NAMED = 5;

/**
 * Compiles `schema` into one function, once, at module load: the rules become closures with their
 * messages' fixed parts prepared, so validating a valid object allocates nothing. Rules:
 * 1. a key the schema does not name is refused first, alone (a `__proto__` or a tag never gets
 *    further), naming at most five;
 * 2. a field that is absent or `null` is skipped, unless required (then its rule judges it);
 * 3. a number must be a finite JSON number (1e400 parses to Infinity), never a string, then an
 *    integer if asked, then within [min, max]; only this last is a `range` violation;
 * 4. every field is checked, so one rejection lists every refused field.
 */
export function compileWireSchema(schema: WireSchema, path = ''): WireValidator {
  const keys = new Set(Object.keys(schema));
  const unknownPrefix = path === '' ? '' : `${path}: `;
  const checks = Object.entries(schema).map(([key, rule]) =>
    compileField(path === '' ? key : `${path}.${key}`, key, rule),
  );
  return (item) => {
    let unknown: string[] | undefined;
    for (const key in item) if (!keys.has(key)) (unknown ??= []).push(key);
    if (unknown !== undefined) {
      const named = unknown.slice(0, MAX_UNKNOWN_NAMED).join(', ');
      return [{ range: false, message: `${unknownPrefix}unknown field(s): ${named}` }];
    }
    let found: Found;
    for (const check of checks) found = check(item, found);
    return found;
  };
}

function compileField(path: string, key: string, rule: FieldRule): FieldCheck {
  const judge = compileRule(path, rule);
  const required = rule.required === true;
  return (item, found) => {
    const value = (item as Record<string, unknown>)[key];
    if (!required && (value === undefined || value === null)) return found;
    return judge(value, found);
  };
}

function compileRule(path: string, rule: FieldRule): FieldCheck {
  switch (rule.kind) {
    case 'number':
      return compileNumber(path, rule);
    case 'enum': {
      const refused = schemaViolation(
        `${path} must be one of the following values: ${rule.values.join(', ')}`,
      );
      return (value, found) =>
        typeof value === 'string' && rule.values.includes(value) ? found : add(found, refused);
    }
    case 'custom':
      return (value, found) => {
        const problem = rule.problem(value);
        return problem === undefined ? found : add(found, schemaViolation(problem));
      };
    case 'object': {
      const validate = compileWireSchema(rule.fields, path);
      const notObject = schemaViolation(
        `${path} must be an object of ${Object.keys(rule.fields).join(', ')}`,
      );
      return (value, found) => {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          return add(found, notObject);
        }
        const inner = validate(value);
        return inner === undefined ? found : [...(found ?? []), ...inner];
      };
    }
  }
}

function compileNumber(path: string, { min, max, integer }: NumberRule): FieldCheck {
  const notNumber = schemaViolation(
    integer
      ? `${path} must be an integer number`
      : `${path} must be a number conforming to the specified constraints`,
  );
  const below: SchemaViolation = { range: true, message: `${path} must not be less than ${min}` };
  const above: SchemaViolation = { range: true, message: `${path} must not be greater than ${max}` };
  return (value, found) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) return add(found, notNumber);
    if (integer && !Number.isInteger(value)) return add(found, notNumber);
    if (value < min) return add(found, below);
    if (value > max) return add(found, above);
    return found;
  };
}

function schemaViolation(message: string): SchemaViolation {
  return { range: false, message };
}

function add(found: Found, violation: SchemaViolation): SchemaViolation[] {
  if (found === undefined) return [violation];
  found.push(violation);
  return found;
}
