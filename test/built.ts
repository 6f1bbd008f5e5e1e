/**
 * The compiled package in lib/, built once per `npm test`: its first step (`tsc -p tsconfig.json --outDir lib`)
 * type-checks and emits in one pass. Tests that run the package as users do (package.test.ts) or need a process
 * without a TypeScript loader (commit.test.ts kills one) take it from here; run alone, a test whose lib/ is
 * missing or older than the sources builds it first, under a lock, so two jest workers never build at once.
 */
import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'fs';
import { join } from 'path';

export const ROOT = join(__dirname, '..');
export const LIB = join(ROOT, 'lib');

/** Newest modification time of the files under `dir` whose names end with one of `ends`. */
function newest(dir: string, ends: readonly string[]): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p, ends));
    else if (ends.some(x => e.name.endsWith(x))) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

function fresh(): boolean {
  const marker = join(LIB, 'src', 'index.js');
  if (!existsSync(marker) || !existsSync(join(LIB, 'src', 'cli.js'))) return false;
  // tsc rewrites every output on each build, so one output's time is the build's.
  const sources = Math.max(newest(join(ROOT, 'src'), ['.ts', '.json']), newest(join(ROOT, 'imports'), ['.ts']));
  return statSync(marker).mtimeMs >= sources;
}

/** lib/, compiled from the current sources (built here only when it is missing or stale). */
export function builtLib(): string {
  if (fresh()) return LIB;
  const lock = join(ROOT, 'node_modules', '.cache', 'cdk8s-rdma-build.lock');
  mkdirSync(join(lock, '..'), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`test/built.ts: ${lock} is held for two minutes; remove it if no build runs`);
      execFileSync('sleep', ['0.2']);
    }
  }
  try {
    if (!fresh()) execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: ROOT });
  } finally {
    rmdirSync(lock);
  }
  return LIB;
}
