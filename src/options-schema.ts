import { RdmaOptionError } from './errors';
import { PROFILES, PROFILE_NAMES } from './profiles';

/**
 * The options JSON schema of a profile (its definition's, generated from its TypeScript options interface by
 * scripts/options-schemas.ts). Values files and the Helm charts' values.schema.json use it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON schema: untyped JSON
export function optionsSchema(profile: string): Record<string, any> {
  const schema = Object.prototype.hasOwnProperty.call(PROFILES, profile) ? (PROFILES[profile].optionsSchema as Schema) : undefined;
  if (!schema) throw new RdmaOptionError('cdk8s-rdma', 'profile', profile, 'is not a known profile', PROFILE_NAMES.join(', '));
  return schema;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON schema: untyped JSON
type Schema = Record<string, any>;

/** One option of a schema that is not itself a map of options: its dotted path and its schema. */
export interface OptionLeaf {
  readonly path: string;
  readonly schema: Schema;
}

/** Every leaf option of a schema, in schema order (objects with properties are walked). */
export function optionLeaves(s: Schema, prefix = ''): OptionLeaf[] {
  if (s.type === 'object' && s.properties) {
    return Object.entries<Schema>(s.properties).flatMap(([k, v]) => optionLeaves(v, prefix ? `${prefix}.${k}` : k));
  }
  return [{ path: prefix, schema: s }];
}

/** An option's type in words: `integer`, `string[]`, `map`, `"a" | "b"`, `number | string`. */
export function optionType(s: Schema): string {
  if (s.enum) return s.enum.map((x: unknown) => JSON.stringify(x)).join(' | ');
  if (s.type === 'array') return `${s.items?.type ?? 'object'}[]`;
  if (s.type === 'object') return 'map';
  if (s.anyOf) return s.anyOf.map((x: Schema) => optionType(x)).join(' | ');
  return Array.isArray(s.type) ? s.type.join(' | ') : String(s.type);
}

/** An option's default as text: the value as JSON, the computed default the description states, or `-`. */
export function optionDefault(s: Schema): string {
  if ('default' in s) return JSON.stringify(s.default);
  return /Default: (.*)\.$/.exec(s.description ?? '')?.[1] ?? '-';
}
