/**
 * Jest transform: TypeScript to CommonJS with esbuild, type-free (`npm test` type-checks first, with
 * `tsc -b tsconfig.check.json`; tsconfig.json sets isolatedModules, so every file compiles alone). About ten times
 * less CPU than ts-jest's transpiler on a cold cache, which is what CI has.
 */
const { transformSync } = require('esbuild');
const { createHash } = require('crypto');
const { readFileSync } = require('fs');
const { join } = require('path');
const { version } = require('esbuild/package.json');

/** The cache key covers esbuild's version and this file (its options). */
const SELF = createHash('sha256')
  .update(version)
  .update(readFileSync(join(__dirname, 'esbuild-transform.js')))
  .digest('hex');

module.exports = {
  process(source, filename) {
    const { code, map } = transformSync(source, {
      loader: filename.endsWith('.tsx') ? 'tsx' : 'ts',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'external',
      sourcefile: filename,
      // import() as require(), as tsc emits it for module commonjs (jest's VM runs no ES module loader).
      supported: { 'dynamic-import': false },
      // Class fields as TypeScript 5.9 emits them for target ES2022 (useDefineForClassFields), as tsc builds lib/.
      tsconfigRaw: { compilerOptions: { useDefineForClassFields: true } },
    });
    return { code, map };
  },
  getCacheKey(source, filename) {
    return createHash('sha256').update(SELF).update('\0').update(filename).update('\0').update(source).digest('hex');
  },
};
