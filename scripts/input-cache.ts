/**
 * A result kept on disk between runs for as long as every file it was computed from is unchanged, as `tsc -b`
 * keeps its build: for what is computed from a whole TypeScript program (API.md and the options schemas, which
 * `npm run synth` writes and a test checks, scripts/generated-types.ts; building the program is most of the cost). A miss (no cache, a changed or removed
 * input, an unreadable cache) computes afresh; a clean clone always does. Delete node_modules/.cache to start
 * afresh.
 */
import { createHash } from 'crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'fs';
import { dirname } from 'path';

interface Entry<T> {
  readonly inputs: string[];
  readonly digest: string;
  readonly value: T;
}

/** One digest of the files' names and contents, in the order given; undefined when one cannot be read. */
export function digestOf(files: readonly string[]): string | undefined {
  const h = createHash('sha256');
  for (const f of files) {
    let content: Buffer;
    try {
      content = readFileSync(f);
    } catch {
      return undefined;
    }
    h.update(`${f}\0${content.length}\0`).update(content);
  }
  return h.digest('hex');
}

/**
 * `compute()`'s value, from `cacheFile` when none of its inputs changed since it was stored. The inputs are the
 * `fixed` files (those a new or removed file shows in, like the listing of a source folder) and those `compute`
 * reports it read. The value must survive JSON.
 */
export function cachedByInputs<T>(
  cacheFile: string,
  fixed: readonly string[],
  compute: () => { value: T; inputs: readonly string[] },
): { value: T; cached: boolean } {
  try {
    const entry = JSON.parse(readFileSync(cacheFile, 'utf8')) as Entry<T>;
    if (Array.isArray(entry.inputs) && entry.digest === digestOf([...fixed, ...entry.inputs])) return { value: entry.value, cached: true };
  } catch {
    // no cache yet, or one that cannot be read: compute
  }
  // The sources as they were when computing began: if one changes meanwhile, the value is not stored.
  const before = digestOf(fixed);
  const { value, inputs } = compute();
  const own = new Set(fixed);
  const read = [...new Set(inputs)].filter(f => !own.has(f)).sort();
  const digest = digestOf([...fixed, ...read]);
  if (before !== undefined && digest !== undefined && digestOf(fixed) === before) {
    const tmp = `${cacheFile}.${process.pid}`;
    try {
      mkdirSync(dirname(cacheFile), { recursive: true });
      writeFileSync(tmp, JSON.stringify({ inputs: read, digest, value }));
      renameSync(tmp, cacheFile); // whole or not at all: two runs may store at once
    } catch {
      // A folder that cannot be written: the next run computes again.
      try {
        rmSync(tmp, { force: true });
      } catch {
        // nothing was written
      }
    }
  }
  return { value, cached: false };
}
