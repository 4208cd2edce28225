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

const MAX_UNKNOWN_NAMED = 5;

/**
 * Compiles `schema`, once, at module load, into the source of one straight-line function, as JSON
 * Schema compilers (ajv) do: each field is read by name and checked inline, so V8 sees monomorphic
 * property loads and a valid object allocates nothing. A first version, a loop over one closure
 * per field (one property-load site for every name), took 2.4 times the CPU of the hand-written
 * check it replaced; this form matches it. The source is built only from the schema, a constant
 * of ours: field names enter it through JSON.stringify, numbers as checked finite literals,
 * messages and custom rules as references to `refs`; a device's input never does.
 * Rules:
 * 1. a key the schema does not name is refused first, alone (a `__proto__` or a tag never gets
 *    further), naming at most five; in a nested object it is that object's only violation;
 * 2. a field that is absent or `null` is skipped, unless required (then its rule judges it);
 * 3. a number must be a finite JSON number (1e400 parses to Infinity), never a string, then an
 *    integer if asked, then within [min, max]; only this last is a `range` violation;
 * 4. every field is checked, so one rejection lists every refused field, in schema order.
 */
export function compileWireSchema(schema: WireSchema): WireValidator {
  const refs: unknown[] = [];
  const ref = (value: unknown) => `refs[${refs.push(value) - 1}]`;
  let names = 0;
  const fresh = () => `v${names++}`;

  const objectCode = (fields: WireSchema, item: string, path: string, top: boolean): string => {
    const known = ref(new Set(Object.keys(fields)));
    const prefix = JSON.stringify(path === '' ? '' : `${path}: `);
    const unknown = fresh();
    const refuse = top
      ? `return [unknownFields(${prefix}, ${unknown})];`
      : `found = add(found, unknownFields(${prefix}, ${unknown}));`;
    const body = Object.entries(fields)
      .map(([key, rule]) => fieldCode(item, key, path === '' ? key : `${path}.${key}`, rule))
      .join('\n');
    return `let ${unknown};
      for (const key in ${item}) if (!${known}.has(key)) (${unknown} ??= []).push(key);
      if (${unknown} !== undefined) ${refuse}
      ${top ? body : `else {\n${body}\n}`}`;
  };

  const fieldCode = (item: string, key: string, path: string, rule: FieldRule): string => {
    const v = fresh();
    const check = ruleCode(v, path, rule);
    return rule.required === true
      ? `{ const ${v} = ${item}[${JSON.stringify(key)}];\n${check} }`
      : `{ const ${v} = ${item}[${JSON.stringify(key)}];\nif (${v} !== undefined && ${v} !== null) {\n${check}\n} }`;
  };

  const ruleCode = (v: string, path: string, rule: FieldRule): string => {
    switch (rule.kind) {
      case 'number': {
        const type = rule.integer
          ? `${path} must be an integer number`
          : `${path} must be a number conforming to the specified constraints`;
        const integer = rule.integer ? ` || !Number.isInteger(${v})` : '';
        return `if (typeof ${v} !== 'number' || !Number.isFinite(${v})${integer}) found = add(found, ${ref(violation(false, type))});
          else if (${v} < ${literal(rule.min)}) found = add(found, ${ref(violation(true, `${path} must not be less than ${rule.min}`))});
          else if (${v} > ${literal(rule.max)}) found = add(found, ${ref(violation(true, `${path} must not be greater than ${rule.max}`))});`;
      }
      case 'enum': {
        const message = `${path} must be one of the following values: ${rule.values.join(', ')}`;
        const none = rule.values.map((value) => `${v} !== ${JSON.stringify(value)}`).join(' && ');
        return `if (${none}) found = add(found, ${ref(violation(false, message))});`;
      }
      case 'custom': {
        const problem = fresh();
        return `const ${problem} = ${ref(rule.problem)}(${v});
          if (${problem} !== undefined) found = add(found, { range: false, message: ${problem} });`;
      }
      case 'object': {
        const message = `${path} must be an object of ${Object.keys(rule.fields).join(', ')}`;
        return `if (typeof ${v} !== 'object' || ${v} === null || Array.isArray(${v})) found = add(found, ${ref(violation(false, message))});
          else {\n${objectCode(rule.fields, v, path, false)}\n}`;
      }
    }
  };

  const source = `return function validate(item) {
    let found;
    ${objectCode(schema, 'item', '', true)}
    return found;
  };`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the source is ours, see above
  const factory = new Function('refs', 'add', 'unknownFields', source) as (
    refs: unknown[],
    addViolation: typeof add,
    unknown: typeof unknownFields,
  ) => WireValidator;
  return factory(refs, add, unknownFields);
}

function violation(range: boolean, message: string): SchemaViolation {
  return { range, message };
}

/** A bound, as a JavaScript literal: JSON.stringify of a finite number is one. */
function literal(bound: number): string {
  if (!Number.isFinite(bound)) throw new Error(`schema bound ${bound} is not a finite number`);
  return JSON.stringify(bound);
}

function unknownFields(prefix: string, keys: string[]): SchemaViolation {
  return violation(false, `${prefix}unknown field(s): ${keys.slice(0, MAX_UNKNOWN_NAMED).join(', ')}`);
}

function add(found: Found, next: SchemaViolation): SchemaViolation[] {
  if (found === undefined) return [next];
  found.push(next);
  return found;
}
