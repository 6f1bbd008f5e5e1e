/**
 * scripts/test.sh (`npm test`, `npm run lint`): which tools it runs, in which order and with which node flags.
 * A stand-in `node` first on PATH records its arguments instead of running anything.
 */
import { spawnSync } from 'child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const root = join(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** The node command lines the script runs (the flag probe apart), and its NODE_OPTIONS. */
function runScript(
  args: string[],
  nodeKnowsBudget: boolean,
  failOn?: string,
): { status: number | null; runs: string[]; nodeOptions: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'rdma-test-script-'));
  try {
    const log = join(dir, 'log');
    // The probe is `node --interrupt-budget=… -e 0`: a Node whose V8 lacks the flag exits 9 ("bad option").
    writeFileSync(
      join(dir, 'node'),
      `#!/bin/sh
case "$*" in *"-e 0") ${nodeKnowsBudget ? 'exit 0' : 'exit 9'} ;; esac
printf '%s\\n' "$*" >> "${log}"
printf '%s\\n' "$NODE_OPTIONS" >> "${log}.options"
${failOn ? `case "$*" in *${failOn}*) exit 3 ;; esac` : ''}
`,
    );
    chmodSync(join(dir, 'node'), 0o755);
    const r = spawnSync('sh', [join(root, 'scripts', 'test.sh'), ...args], {
      env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, NODE_OPTIONS: '--trace-warnings' },
      encoding: 'utf8',
    });
    const lines = (f: string) => {
      try {
        return readFileSync(f, 'utf8').trim().split('\n');
      } catch {
        return [];
      }
    };
    return { status: r.status, runs: lines(log), nodeOptions: [...new Set(lines(`${log}.options`))] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const FLAGS = '--max-semi-space-size=64 --interrupt-budget=1000000';
const ESLINT = 'node_modules/eslint/bin/eslint.js --cache --cache-strategy content --cache-location node_modules/.cache/eslint/ .';
const PRETTIER = 'node_modules/prettier/bin/prettier.cjs --check --cache --cache-location node_modules/.cache/prettier/cache.json .';

test('npm test and npm run lint are the script', () => {
  expect({ test: pkg.scripts.test, lint: pkg.scripts.lint }).toEqual({ test: 'sh scripts/test.sh', lint: 'sh scripts/test.sh lint' });
});

test('npm test: the type check, eslint, prettier, then jest with the arguments given, each under the V8 flags', () => {
  expect(runScript(['test/helm.test.ts', '-t', 'x'], true)).toEqual({
    status: 0,
    runs: [
      `${FLAGS} node_modules/typescript/bin/tsc -b tsconfig.check.json`,
      `${FLAGS} ${ESLINT}`,
      `${FLAGS} ${PRETTIER}`,
      `${FLAGS} node_modules/jest/bin/jest.js test/helm.test.ts -t x`,
    ],
    // One V8 background thread for every process, the caller's options kept.
    nodeOptions: ['--v8-pool-size=1 --trace-warnings'],
  });
});

test('npm run lint: the two linters only', () => {
  expect(runScript(['lint'], true).runs).toEqual([`${FLAGS} ${ESLINT}`, `${FLAGS} ${PRETTIER}`]);
});

test('a Node whose V8 does not know --interrupt-budget runs the tools without it', () => {
  const { status, runs } = runScript(['lint'], false);
  expect(status).toBe(0);
  expect(runs).toEqual([`--max-semi-space-size=64 ${ESLINT}`, `--max-semi-space-size=64 ${PRETTIER}`]);
});

test('a step that fails stops the run with its status: no lint or jest after a failed type check', () => {
  const { status, runs } = runScript([], true, 'tsc');
  expect(status).toBe(3);
  expect(runs).toEqual([`${FLAGS} node_modules/typescript/bin/tsc -b tsconfig.check.json`]);
});
