/**
 * What is generated from the TypeScript types of the sources: API.md (scripts/api-report.ts) and the options schemas
 * (scripts/options-schemas.ts), from one program of the sources (scripts/source-program.ts). `npm run synth` writes
 * them (this script); a test compares the committed files with them (test/api.test.ts).
 *
 * Both keep what was generated in node_modules/.cache/cdk8s-rdma-tests/ for as long as no file under src/ or
 * scripts/, no file the program read and neither tsconfig.json, package.json nor the lockfile changes
 * (scripts/input-cache.ts): building the program is most of the cost, and the first `npm test` after
 * `npm run synth` does not pay it again. A stale API.md still fails the test: the cache holds what the sources
 * generate, not what is committed.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';
import type { Program } from 'typescript';
import { cachedByInputs } from './input-cache';

const ROOT = join(__dirname, '..');
export const GENERATED_TYPES_CACHE = join(ROOT, 'node_modules', '.cache', 'cdk8s-rdma-tests', 'source-program.json');

/** Every file under the source and script folders, and the files that set the compiler and the generators' versions. */
export function generatorInputs(): string[] {
  const under = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .flatMap(e => (e.isDirectory() ? under(join(dir, e.name)) : [join(dir, e.name)]));
  return [
    ...under(join(ROOT, 'src')),
    ...under(join(ROOT, 'scripts')),
    ...['tsconfig.json', 'package.json', 'package-lock.json'].map(f => join(ROOT, f)),
  ];
}

/** The generated files' contents by path from the root, and the files the program read. */
function generate(): { value: Record<string, string>; inputs: string[] } {
  // Loaded here: a cached result needs neither the compiler nor the schema generator.
  const { API_REPORT, apiReport } = require('./api-report');
  const { OPTIONS_SCHEMA_DIR, generateOptionsSchemas, schemaFileContent } = require('./options-schemas');
  const { sourceProgram } = require('./source-program');
  const value: Record<string, string> = { [relative(ROOT, API_REPORT)]: apiReport() };
  for (const [name, schema] of Object.entries(generateOptionsSchemas())) {
    value[relative(ROOT, join(OPTIONS_SCHEMA_DIR, `${name}.json`))] = schemaFileContent(schema);
  }
  return { value, inputs: (sourceProgram() as Program).getSourceFiles().map(f => resolve(f.fileName)) };
}

/** API.md and src/data/options-schemas/<profile>.json as the current sources generate them, by path from the root. */
export function generatedTypeFiles(): Record<string, string> {
  return cachedByInputs(GENERATED_TYPES_CACHE, generatorInputs(), generate).value;
}

if (require.main === module) {
  for (const [path, content] of Object.entries(generatedTypeFiles())) {
    mkdirSync(dirname(join(ROOT, path)), { recursive: true });
    writeFileSync(join(ROOT, path), content);
    process.stdout.write(`${path}\n`);
  }
}
