/**
 * The compiled package in lib/, built once per `npm test`: its first step (`tsc -b tsconfig.check.json`, an
 * incremental build) type-checks and emits in one pass. Tests that run the package as users do (package.test.ts) or
 * need a process without a TypeScript loader (commit.test.ts kills one) take it from here; run alone, a test whose
 * lib/ is missing or older than the sources builds it first (the same incremental build), under a lock, so two
 * jest workers never build at once.
 */
import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, statSync, utimesSync } from 'fs';
import { join } from 'path';
import { nodeArgs } from './node-child';

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

/** The build `npm test` runs first (tsconfig.check.json): incremental, its state in lib/ (removing lib/ starts afresh). */
const CHECK_CONFIG = 'tsconfig.check.json';
export const BUILD_ARGS = ['-b', CHECK_CONFIG];
/** The build's state file, as the config names it (its comments are whole lines). */
const BUILD_INFO = join(
  ROOT,
  JSON.parse(
    readFileSync(join(ROOT, CHECK_CONFIG), 'utf8')
      .split('\n')
      .filter(l => !l.trim().startsWith('//'))
      .join('\n'),
  ).compilerOptions.tsBuildInfoFile,
);

function fresh(): boolean {
  if (!existsSync(BUILD_INFO) || !existsSync(join(LIB, 'src', 'index.js')) || !existsSync(join(LIB, 'src', 'cli.js'))) return false;
  // An incremental build rewrites only what changed, and nothing when nothing did: the newest output (or the
  // build info, which builtLib touches after a build) is the last build's time.
  const sources = Math.max(newest(join(ROOT, 'src'), ['.ts', '.json']), newest(join(ROOT, 'imports'), ['.ts']));
  return Math.max(newest(LIB, ['.js', '.d.ts', '.json']), statSync(BUILD_INFO).mtimeMs) >= sources;
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
    if (!fresh()) {
      execFileSync(process.execPath, nodeArgs([join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), ...BUILD_ARGS]), { cwd: ROOT });
      // A build that found nothing to change writes nothing: mark the build's time on its state file.
      const now = new Date();
      utimesSync(BUILD_INFO, now, now);
    }
  } finally {
    rmdirSync(lock);
  }
  return LIB;
}
