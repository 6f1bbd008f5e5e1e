import type Ajv from 'ajv';
import type { ErrorObject } from 'ajv';
import { FIELD_RULES } from './validate';
import { readFileSync, statSync } from 'fs';
import { yamlLibrary } from './yaml-library';
import { RdmaOptionError } from './errors';
import { optionsSchema } from './options-schema';

/**
 * Values files: the options of one profile as YAML or JSON, validated against the profile's options
 * schema (the one the Helm charts' values.schema.json is cut from) before the profile checks them further.
 */

// Loaded with the first values file: a synth without one needs no schema validator.
let ajv: Ajv | undefined;
const validators = new Map<string, ReturnType<Ajv['compile']>>();

function validatorFor(profile: string) {
  if (!validators.has(profile)) {
    // Without ajv's optimizer pass over the code it generates (`code.optimize`, one pass unless set: ajv 8.20.0
    // dist/core.js): the same checks, and the pass costs more when compiling than it can save on a values file of a
    // few lines.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deferred load is the point
    ajv ??= new (require('ajv').default as typeof Ajv)({ allErrors: false, strict: false, verbose: true, code: { optimize: false } });
    validators.set(profile, ajv.compile(optionsSchema(profile)));
  }
  return validators.get(profile)!;
}

/** Largest values file read: options files are small; a larger file is refused before it is parsed. */
export const MAX_VALUES_FILE_BYTES = 4 * 1024 * 1024;

/** Tags a values file may carry: the YAML core schema's (a `!!str "1"` is fine; `!!omap`, `!!set`, `!foo` are not). */
const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map(t => `tag:yaml.org,2002:${t}`));

/**
 * Reads a values file; a missing, unreadable, oversized or malformed file, or one using YAML the options cannot
 * hold (tags other than the core schema's, an alias that contains itself, duplicate keys, warnings such as
 * unresolved tags), is one RdmaOptionError naming it. Linear in the file's size.
 */
export function readValuesFile(file: string): unknown {
  const refuse = (problem: string, allowed = 'a YAML or JSON map of options') =>
    new RdmaOptionError('cdk8s-rdma', '--values', file, problem, allowed);
  let text: string;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw refuse('is not a regular file', 'a YAML or JSON file');
    if (st.size > MAX_VALUES_FILE_BYTES) throw refuse(`is ${st.size} bytes`, `a values file of at most ${MAX_VALUES_FILE_BYTES} bytes`);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof RdmaOptionError) throw e;
    throw refuse(`cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'a readable YAML or JSON file');
  }
  const { LineCounter, isMap, isScalar, parseDocument, visit } = yamlLibrary();
  const lines = new LineCounter();
  // uniqueKeys is checked below in one pass: the library's own check compares every key with every other.
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false, lineCounter: lines });
  const at = (offset: number | undefined) => (offset === undefined ? '' : ` at line ${lines.linePos(offset).line}`);
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) throw refuse(`is not valid YAML or JSON: ${problem.message.split('\n')[0]}`);
  let bad: string | undefined;
  let allowed = 'plain YAML or JSON: maps, lists and scalars, without tags or self-referencing aliases';
  visit(doc, {
    Node(_key, node) {
      if (node.tag !== undefined && !CORE_TAGS.has(node.tag)) {
        bad = `uses the YAML tag ${node.tag.replace('tag:yaml.org,2002:', '!!')}${at(node.range?.[0])}, which options cannot hold`;
        return visit.BREAK;
      }
      if (isMap(node)) {
        const seen = new Set<unknown>();
        for (const pair of node.items) {
          const key = isScalar(pair.key) ? pair.key.value : pair.key;
          if (seen.has(key)) {
            bad = `has the key ${JSON.stringify(String(key))} twice${at(isScalar(pair.key) ? pair.key.range?.[0] : undefined)}`;
            allowed = 'each key once in a map';
            return visit.BREAK;
          }
          seen.add(key);
        }
      }
      return undefined;
    },
    Alias(_key, node, path) {
      const target = node.resolve(doc);
      if (target !== undefined && path.includes(target as never)) {
        bad = `has an alias (*${node.source}) that contains itself${at(node.range?.[0])}`;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (bad) throw refuse(bad, allowed);
  const values = doc.toJS({ maxAliasCount: 1000 });
  if (values === null || values === undefined) return {};
  return values;
}

/** The keys of a JSON pointer (`/a/0/b~1c` → a, 0, b/c). */
const segments = (e: ErrorObject) =>
  e.instancePath
    .split('/')
    .slice(1)
    .map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'));

/** The option path of an error, as users write it: `a.b[0].c`. */
const pathOf = (e: ErrorObject) => segments(e).reduce((acc, k) => (/^\d+$/.test(k) ? `${acc}[${k}]` : acc ? `${acc}.${k}` : k), '');

function valueAt(data: unknown, e: ErrorObject): unknown {
  return segments(e).reduce<unknown>((o, k) => (o === undefined || o === null ? undefined : (o as Record<string, unknown>)[k]), data);
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
      return new RdmaOptionError(
        where,
        path ? `${path}.${key}` : key,
        (valueAt(data, e) as Record<string, unknown>)[key],
        'is not a known option',
        Object.keys(parent).sort().join(', ') || 'no options here',
      );
    }
    case 'type': {
      const types = (e.params as { type: string | string[] }).type;
      return new RdmaOptionError(
        where,
        path || '(top level)',
        valueAt(data, e),
        `is not ${[types]
          .flat()
          .map(t => TYPE_NAMES[t] ?? `a ${t}`)
          .join(' or ')}`,
        [types].flat().join(' or '),
      );
    }
    case 'enum':
      return new RdmaOptionError(
        where,
        path,
        valueAt(data, e),
        'is not one of the allowed values',
        (e.params as { allowedValues: unknown[] }).allowedValues.map(v => JSON.stringify(v)).join(', '),
      );
    case 'required':
      return new RdmaOptionError(
        where,
        `${path ? `${path}.` : ''}${(e.params as { missingProperty: string }).missingProperty}`,
        undefined,
        'is missing',
        'a value (it is required here)',
      );
    case 'pattern': {
      // The schema's patterns are FIELD_RULES (a test keeps them so): the same words as the checks in code.
      const rule = Object.values(FIELD_RULES).find(r => r.pattern === (e.params as { pattern: string }).pattern);
      return new RdmaOptionError(
        where,
        path,
        valueAt(data, e),
        rule?.problem ?? 'does not match its pattern',
        rule?.allowed ?? `text matching ${(e.params as { pattern: string }).pattern}`,
      );
    }
    case 'maxLength':
      return new RdmaOptionError(
        where,
        path,
        valueAt(data, e),
        'is too long',
        `at most ${(e.params as { limit: number }).limit} characters`,
      );
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum': {
      const s = e.parentSchema as { minimum?: number; maximum?: number; exclusiveMinimum?: number };
      const range =
        s.minimum !== undefined && s.maximum !== undefined
          ? `from ${s.minimum} to ${s.maximum}`
          : s.minimum !== undefined
            ? `at least ${s.minimum}`
            : s.exclusiveMinimum !== undefined
              ? `more than ${s.exclusiveMinimum}${s.maximum !== undefined ? ` and at most ${s.maximum}` : ''}`
              : `at most ${s.maximum}`;
      return new RdmaOptionError(where, path, valueAt(data, e), 'is out of range', `a number ${range}`);
    }
    case 'multipleOf':
      return new RdmaOptionError(
        where,
        path,
        valueAt(data, e),
        `is not a multiple of ${(e.params as { multipleOf: number }).multipleOf}`,
        `a multiple of ${(e.params as { multipleOf: number }).multipleOf}`,
      );
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
