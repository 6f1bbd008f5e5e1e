/**
 * Generates the options JSON schema of every profile from its TypeScript options interface (TSDoc
 * descriptions and `@default` tags included) into src/data/options-schemas/<profile>.json. The CLI
 * validates values files against it, and each Helm chart's values.schema.json is derived from it, so the
 * TypeScript types stay the one source of truth. `npm run synth` runs this first (scripts/generated-types.ts);
 * a test fails when the committed files are stale.
 */
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { CompletedConfig, DEFAULT_CONFIG, SchemaGenerator, createFormatter, createParser } from 'ts-json-schema-generator';
import { sourceProgram } from './source-program';
import { PROFILES, PROFILE_NAMES } from '../src/profiles';

const ROOT = join(__dirname, '..');
export const OPTIONS_SCHEMA_DIR = join(ROOT, 'src', 'data', 'options-schemas');

type Schema = Record<string, any>;

function typesOf(s: Schema): string[] {
  if (s.enum) return [...new Set(s.enum.map((v: unknown) => typeof v))] as string[];
  const t = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
  return t.map((x: string) => (x === 'integer' ? 'number' : x === 'array' ? 'object' : x));
}

/**
 * TSDoc `@default` tags are prose where the default is computed (`- every type on the list`, `'v1' (upstream's)`).
 * A prose default is not a value, so it moves into the description; real defaults stay as `default`.
 */
function isProse(s: Schema, value: unknown): boolean {
  if (typeof value === 'string' && (value.startsWith('- ') || value.startsWith("'") || value.includes('<'))) return true;
  const t = typesOf(s);
  return t.length > 0 && !t.includes(typeof value === 'object' && value !== null ? 'object' : typeof value);
}

function tidy(s: Schema): Schema {
  if (Array.isArray(s)) return s.map(tidy);
  if (s === null || typeof s !== 'object') return s;
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'default' || k === 'enum' || k === 'const') {
      out[k] = v; // values, not schemas
    } else if (k === 'properties' || k === 'definitions') {
      out[k] = Object.fromEntries(Object.entries(v as Schema).map(([name, sub]) => [name, tidy(sub)]));
    } else {
      out[k] = typeof v === 'object' && v !== null ? tidy(v) : v;
    }
  }
  // Quantities are int-or-string (TypeScript `string | number`): the number form is whole (`cpu: 16`).
  if (Array.isArray(out.type) && out.type.includes('string') && out.type.includes('number') && out.pattern) {
    out.type = out.type.map((t: string) => (t === 'number' ? 'integer' : t));
  }
  if ('default' in out && isProse(out, out.default)) {
    const text = typeof out.default === 'string' ? out.default.replace(/^- /, '') : JSON.stringify(out.default);
    out.description = `${out.description ? `${out.description} ` : ''}Default: ${text}.`;
    delete out.default;
  }
  // TSDoc `@deprecated <text>`: JSON Schema's `deprecated` is a boolean (draft 2019-09 meta-data vocabulary).
  if (typeof out.deprecated === 'string') {
    out.description = `${out.description ? `${out.description} ` : ''}Deprecated: ${out.deprecated}.`;
    out.deprecated = true;
  }
  return out;
}

/** The options schema of every profile, by profile name. */
export function generateOptionsSchemas(): Record<string, Schema> {
  // ts-json-schema-generator's createGenerator, given the program the API report reads too (the generator
  // finds each options type among the program's project files).
  const config: CompletedConfig = {
    ...DEFAULT_CONFIG,
    type: '*',
    skipTypeCheck: true,
    expose: 'none',
    topRef: false,
    jsDoc: 'extended',
    additionalProperties: false,
    sortProps: true,
  };
  const program = sourceProgram();
  const generator = new SchemaGenerator(program, createParser(program, config), createFormatter(config), config);
  const out: Record<string, Schema> = {};
  for (const name of PROFILE_NAMES) {
    const { $schema, ...schema } = generator.createSchema(PROFILES[name].optionsType) as Schema;
    out[name] = { $schema, title: `Options of the ${name} profile`, ...tidy(schema) };
  }
  return out;
}

export function schemaFileContent(schema: Schema): string {
  return JSON.stringify(schema, null, 2) + '\n';
}

if (require.main === module) {
  mkdirSync(OPTIONS_SCHEMA_DIR, { recursive: true });
  for (const [name, schema] of Object.entries(generateOptionsSchemas())) {
    writeFileSync(join(OPTIONS_SCHEMA_DIR, `${name}.json`), schemaFileContent(schema));
    process.stdout.write(`src/data/options-schemas/${name}.json\n`);
  }
}
