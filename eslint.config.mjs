// ESLint flat config: @eslint/js and typescript-eslint's recommended rules (syntax only: `tsc` checks the types).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['lib/', 'imports/', 'dist/', 'charts/', 'snapshots/', 'docs/', 'node_modules/', 'cdk8s.out/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly', console: 'readonly' },
    },
    rules: {
      // `_name` marks a binding that is there for its position (a destructured rest, a callback's first argument).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // TypeScript files: `tsc` reports unused locals, imports and parameters itself (tsconfig.json noUnusedLocals and
    // noUnusedParameters; it exempts `_` parameters and `_` names in a destructuring, and reports any other unused
    // `_` local, which the rule above lets pass), and it runs first in `npm test`. The rule was two fifths of
    // eslint's rule time (TIMING=1). typescript-eslint's page on it compares the two:
    // https://typescript-eslint.io/rules/no-unused-vars/ (FAQ). JavaScript files keep it.
    files: ['**/*.ts'],
    rules: { '@typescript-eslint/no-unused-vars': 'off' },
  },
  {
    // Tests read parsed YAML and JSON as `any`, and load some modules lazily with require.
    files: ['test/**', 'scripts/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
  { files: ['**/*.js'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
);
