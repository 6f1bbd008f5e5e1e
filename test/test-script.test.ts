/**
 * scripts/test.sh (`npm test`, `npm run lint`): which tools it runs, in which order, with which node flags and
 * which temporary folder. A stand-in `node` first on PATH records its arguments and environment instead of
 * running anything.
 */
import { spawnSync } from 'child_process';
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statfsSync,
  writeFileSync,
} from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const root = join(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

interface ScriptRun {
  /** Whether the stand-in node takes --interrupt-budget (a Node whose V8 lacks it exits 9 on the probe). */
  readonly nodeKnowsBudget?: boolean;
  /** The stand-in exits 3 when its command line holds this. */
  readonly failOn?: string;
  /** The stand-in sends this signal to the script's shell (its parent) when its command line holds `at`. */
  readonly signal?: { readonly at: string; readonly name: string };
  /** The caller's TMPDIR: by default a folder of this test's; null for none. */
  readonly callerTmp?: string | null;
}

/** The node command lines the script runs (the flag probe apart), their NODE_OPTIONS and TMPDIR. */
function runScript(
  args: string[],
  { nodeKnowsBudget = true, failOn, signal, callerTmp }: ScriptRun = {},
): { status: number | null; runs: string[]; nodeOptions: string[]; tmpDirs: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'rdma-test-script-'));
  try {
    const log = join(dir, 'log');
    const tmp = callerTmp === null ? undefined : (callerTmp ?? join(dir, 'tmp'));
    if (tmp) mkdirSync(tmp, { recursive: true });
    // The probe is `node --interrupt-budget=… -e 0`: a Node whose V8 lacks the flag exits 9 ("bad option").
    writeFileSync(
      join(dir, 'node'),
      `#!/bin/sh
case "$*" in *"-e 0") ${nodeKnowsBudget ? 'exit 0' : 'exit 9'} ;; esac
printf '%s\\n' "$*" >> "${log}"
printf '%s\\n' "$NODE_OPTIONS" >> "${log}.options"
printf '%s\\n' "$TMPDIR" >> "${log}.tmp"
if [ -n "$TMPDIR" ]; then mkdir -p "$TMPDIR/written-by-a-tool"; fi
${failOn ? `case "$*" in *${failOn}*) exit 3 ;; esac` : ''}
${signal ? `case "$*" in *${signal.at}*) kill -${signal.name} $PPID ;; esac` : ''}
`,
    );
    chmodSync(join(dir, 'node'), 0o755);
    const r = spawnSync('sh', [join(root, 'scripts', 'test.sh'), ...args], {
      env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, NODE_OPTIONS: '--trace-warnings', TMPDIR: tmp },
      encoding: 'utf8',
    });
    const lines = (f: string) => {
      try {
        return readFileSync(f, 'utf8').trim().split('\n');
      } catch {
        return [];
      }
    };
    return {
      status: r.status,
      runs: lines(log),
      nodeOptions: [...new Set(lines(`${log}.options`))],
      tmpDirs: [...new Set(lines(`${log}.tmp`))],
    };
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
  expect(runScript(['test/helm.test.ts', '-t', 'x'])).toEqual({
    tmpDirs: [expect.stringMatching(/\/rdma-test-script-\w{6}\/tmp$/)],
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
  expect(runScript(['lint']).runs).toEqual([`${FLAGS} ${ESLINT}`, `${FLAGS} ${PRETTIER}`]);
});

test('a Node whose V8 does not know --interrupt-budget runs the tools without it', () => {
  const { status, runs } = runScript(['lint'], { nodeKnowsBudget: false });
  expect(status).toBe(0);
  expect(runs).toEqual([`--max-semi-space-size=64 ${ESLINT}`, `--max-semi-space-size=64 ${PRETTIER}`]);
});

test('a step that fails stops the run with its status: no lint or jest after a failed type check', () => {
  const { status, runs } = runScript([], { failOn: 'tsc' });
  expect(status).toBe(3);
  expect(runs).toEqual([`${FLAGS} node_modules/typescript/bin/tsc -b tsconfig.check.json`]);
});

/**
 * What scripts/test.sh asks of /dev/shm before it puts a run's temporary folders there: a tmpfs where programs may
 * run, writable, with 256 MiB free. Docker's default /dev/shm (64 MiB) is not enough: the run keeps TMPDIR unset.
 */
const shmUsable = (() => {
  try {
    const mounted = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map(l => l.split(' '))
      .some(([, at, type, flags]) => at === '/dev/shm' && type === 'tmpfs' && !flags.split(',').includes('noexec'));
    accessSync('/dev/shm', constants.W_OK);
    const { bavail, bsize } = statfsSync('/dev/shm');
    return mounted && bavail * bsize >= 256 * 2 ** 20;
  } catch {
    return false;
  }
})();
/** The script's temporary folders on /dev/shm now. */
const shmFolders = () => readdirSync('/dev/shm').filter(n => n.startsWith('cdk8s-rdma-test.'));

test(`without the caller's TMPDIR, every tool shares ${shmUsable ? 'one new folder on /dev/shm, removed when the run ends (a failed one too)' : 'none (/dev/shm is no usable tmpfs here)'}`, () => {
  for (const failOn of [undefined, 'eslint']) {
    const { status, tmpDirs } = runScript(['lint'], { failOn, callerTmp: null });
    expect(status).toBe(failOn ? 3 : 0);
    if (!shmUsable) {
      expect(tmpDirs).toEqual(['']);
      continue;
    }
    expect(tmpDirs).toHaveLength(1);
    expect(tmpDirs[0]).toMatch(/^\/dev\/shm\/cdk8s-rdma-test\.\w{6}$/);
    expect(existsSync(tmpDirs[0])).toBe(false);
  }
});

(shmUsable ? test.each : test.skip.each)([
  ['HUP', 129],
  ['INT', 130],
  ['PIPE', 141],
  ['TERM', 143],
])('a run that gets SIG%s ends with status %d and removes its folder on /dev/shm', (name, status) => {
  const before = shmFolders();
  const r = runScript(['lint'], { signal: { at: 'eslint', name }, callerTmp: null });
  expect({ status: r.status, runs: r.runs.length }).toEqual({ status, runs: 1 });
  expect(r.tmpDirs[0]).toMatch(/^\/dev\/shm\/cdk8s-rdma-test\./);
  expect(shmFolders().filter(f => !before.includes(f))).toEqual([]);
});

test('a TMPDIR the caller set is kept, and left to the caller', () => {
  const mine = mkdtempSync(join(tmpdir(), 'rdma-test-script-tmp-'));
  try {
    expect(runScript(['lint'], { callerTmp: mine }).tmpDirs).toEqual([mine]);
    expect(existsSync(join(mine, 'written-by-a-tool'))).toBe(true);
  } finally {
    rmSync(mine, { recursive: true, force: true });
  }
});
