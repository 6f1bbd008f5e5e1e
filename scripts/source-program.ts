/**
 * One TypeScript program of the package sources, for the generators that read the types (API.md and the
 * options schemas): parsing and binding the sources and their dependencies' declarations is most of what each
 * costs, so a process that runs both (the test of generated files) builds it once.
 */
import { join } from 'path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..');
/** The package entry (API.md) and the profile registry (the options types). */
export const SOURCE_ENTRIES = [join(ROOT, 'src', 'index.ts'), join(ROOT, 'src', 'profiles', 'index.ts')];

let program: ts.Program | undefined;

/** The program of SOURCE_ENTRIES with the project's compiler options (module resolution included), built once. */
export function sourceProgram(): ts.Program {
  if (program === undefined) {
    const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
    const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
    // Node's global types only: the sources use no jest globals (tsconfig.json adds them for the tests).
    program = ts.createProgram(SOURCE_ENTRIES, { ...options, noEmit: true, types: ['node'] });
  }
  return program;
}
