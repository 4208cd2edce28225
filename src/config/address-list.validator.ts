import { isIP } from 'node:net';
import { registerDecorator, type ValidationOptions } from 'class-validator';

/**
 * A comma-separated list of IP addresses and CIDR blocks (`10.0.0.0/8, 192.0.2.7, 2001:db8::/32`),
 * as BROKER_BAN_EXEMPT takes it. Blanks around entries and empty entries are ignored.
 */
export function parseAddressList(text: string): string[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/** Why `entry` is not an address or a CIDR block, or undefined when it is one. */
export function addressEntryProblem(entry: string): string | undefined {
  const [address, prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return `"${entry}" is not an IP address or CIDR block`;
  if (prefix === undefined) return undefined;
  const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : -1;
  return bits >= 0 && bits <= (family === 4 ? 32 : 128)
    ? undefined
    : `"${entry}" has a prefix length outside 0-${family === 4 ? 32 : 128}`;
}

export function IsAddressList(options?: ValidationOptions): PropertyDecorator {
  const problem = (value: unknown): string | undefined =>
    typeof value !== 'string'
      ? 'must be a comma-separated list of IP addresses and CIDR blocks'
      : parseAddressList(value)
          .map(addressEntryProblem)
          .find((p) => p !== undefined);
  return (target, propertyName) =>
    registerDecorator({
      name: 'isAddressList',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => problem(value) === undefined,
        defaultMessage: (args) => `${args?.property ?? 'value'}: ${problem(args?.value) ?? 'is invalid'}`,
      },
    });
}
