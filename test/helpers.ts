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
