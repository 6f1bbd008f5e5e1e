import { CORE_SCHEMA, load, loadAll } from 'js-yaml';
import { App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';

/** Synthesizes whatever `build` adds to a fresh chart (stable names, no hashes). */
export function synth(build: (scope: Construct) => void): any[] {
  // A plain App: Testing.app() makes a temporary output folder on every call and never removes it.
  const chart = new Chart(new App(), 'test', { disableResourceNameHashes: true });
  build(chart);
  return Testing.synth(chart);
}

/** An object's name without the run id of a check (`osu-latency-efa-1a2b3c4d` -> `osu-latency-efa`). */
export function baseName(o: any): string {
  const run = o.metadata.labels?.['rdma.cdk8s.io/run'];
  return run && o.metadata.name.endsWith(`-${run}`) ? o.metadata.name.slice(0, -run.length - 1) : o.metadata.name;
}

/** The one object of `kind` (named `name`, or `name` plus a run id). */
export function only(objects: any[], kind: string, name?: string): any {
  const found = objects.filter(o => o.kind === kind && (name === undefined || o.metadata.name === name || baseName(o) === name));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name ?? ''}, found ${found.length}`);
  return found[0];
}

/**
 * Deep equality of two JSON values (as toEqual: a key whose value is undefined is no key). Not Node's
 * util.isDeepStrictEqual, which tells such a key from a missing one (a fallback to toEqual then): measured here,
 * the pair tests took about a fifth longer with it.
 */
function sameJson(a: any, b: any): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  const ka = Object.keys(a).filter(k => a[k] !== undefined);
  const kb = Object.keys(b).filter(k => b[k] !== undefined);
  return ka.length === kb.length && ka.every(k => Object.prototype.hasOwnProperty.call(b, k) && sameJson(a[k], b[k]));
}

/**
 * expect(actual).toEqual(expected) for parsed YAML and JSON: equal values pass at once; anything else goes to
 * toEqual, which fails with its usual diff. jest's deep equality costs many times a plain walk on the charts'
 * objects, and the chart tests compare thousands of them.
 */
export function expectSameJson(actual: unknown, expected: unknown): void {
  if (!sameJson(actual, expected)) expect(actual).toEqual(expected);
}

/** expect(actual).not.toEqual(other), by the same plain walk: only equal values go to jest (which fails then). */
export function expectDifferentJson(actual: unknown, other: unknown): void {
  if (sameJson(actual, other)) expect(actual).not.toEqual(other);
}

/**
 * The documents of a YAML stream that a tool printed or a file holds, empty ones dropped, read by js-yaml with
 * the YAML 1.2 core schema (what the `yaml` package reads by default, at a tenth of its time on large streams).
 * test/yaml.test.ts keeps our writer's output read the same by YAML 1.1 and 1.2 readers.
 */
export function readDocuments(text: string): any[] {
  return loadAll(text, undefined, { schema: CORE_SCHEMA }).filter(d => d !== null && d !== undefined);
}

/** The one document of a YAML file, read as readDocuments reads (a stream of several is an error). */
export function readDocument(text: string): any {
  return load(text, { schema: CORE_SCHEMA });
}
