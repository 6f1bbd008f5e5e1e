import Ajv, { ErrorObject } from 'ajv';
import { readFileSync } from 'fs';
import { parse } from 'yaml';
import { RdmaOptionError } from './errors';
import { optionsSchema } from './options-schema';

/**
 * Values files: the options of one profile as YAML or JSON, validated against the profile's options
 * schema (the one the Helm charts' values.schema.json is cut from) before the profile checks them further.
 */

const ajv = new Ajv({ allErrors: false, strict: false, verbose: true });
const validators = new Map<string, ReturnType<Ajv['compile']>>();

function validatorFor(profile: string) {
  if (!validators.has(profile)) validators.set(profile, ajv.compile(optionsSchema(profile)));
  return validators.get(profile)!;
}

/** Reads a values file; a missing, unreadable or malformed file is one RdmaOptionError naming it. */
export function readValuesFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new RdmaOptionError('cdk8s-rdma', '--values', file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'a readable YAML or JSON file');
  }
  let values: unknown;
  try {
    values = parse(text, { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    const first = (e as Error).message.split('\n')[0];
    throw new RdmaOptionError('cdk8s-rdma', '--values', file, `is not valid YAML or JSON: ${first}`, 'a YAML or JSON map of options');
  }
  if (values === null || values === undefined) return {};
  return values;
}

/** The keys of a JSON pointer (`/a/0/b~1c` → a, 0, b/c). */
const segments = (e: ErrorObject) => e.instancePath.split('/').slice(1).map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'));

/** The option path of an error, as users write it: `a.b[0].c`. */
const pathOf = (e: ErrorObject) => segments(e).reduce((acc, k) => (/^\d+$/.test(k) ? `${acc}[${k}]` : acc ? `${acc}.${k}` : k), '');

function valueAt(data: unknown, e: ErrorObject): unknown {
  return segments(e).reduce((o: any, k) => (o === undefined || o === null ? undefined : o[k]), data);
}

const TYPE_NAMES: Record<string, string> = { object: 'a map', array: 'a list', integer: 'an integer' };

/** One readable error per schema violation: the option path, the bad value and what is allowed. */
function describe(profile: string, data: unknown, e: ErrorObject): RdmaOptionError {
  const path = pathOf(e);
  const where = `${profile} values`;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const parent = (e.parentSchema as { properties?: Record<string, unknown> }).properties ?? {};
      return new RdmaOptionError(where, path ? `${path}.${key}` : key, (valueAt(data, e) as Record<string, unknown>)[key], 'is not a known option',
        Object.keys(parent).sort().join(', ') || 'no options here');
    }
    case 'type': {
      const types = (e.params as { type: string | string[] }).type;
      return new RdmaOptionError(where, path || '(top level)', valueAt(data, e), `is not ${[types].flat().map(t => TYPE_NAMES[t] ?? `a ${t}`).join(' or ')}`,
        [types].flat().join(' or '));
    }
    case 'enum':
      return new RdmaOptionError(where, path, valueAt(data, e), 'is not one of the allowed values',
        ((e.params as { allowedValues: unknown[] }).allowedValues).map(v => JSON.stringify(v)).join(', '));
    case 'required':
      return new RdmaOptionError(where, `${path ? `${path}.` : ''}${(e.params as { missingProperty: string }).missingProperty}`, undefined, 'is missing', 'a value (it is required here)');
    default:
      return new RdmaOptionError(where, path || '(top level)', valueAt(data, e), e.message ?? 'is not valid', JSON.stringify(e.params));
  }
}

/** Checks options against the profile's schema; throws the first violation (document order) as an RdmaOptionError. */
export function validateOptions(profile: string, values: unknown): void {
  const validate = validatorFor(profile);
  if (validate(values)) return;
  const errors = validate.errors ?? [];
  throw errors.length > 0
    ? describe(profile, values, errors[0])
    : new RdmaOptionError(`${profile} values`, '(top level)', values, 'does not match the options schema', 'see src/data/options-schemas');
}
