import type * as Yaml from 'yaml';

let loaded: typeof Yaml | undefined;

/**
 * The `yaml` library (the pinned copy this package writes and reads YAML with), loaded on first use: what writes
 * no YAML (a user's own cdk8s app built from these constructs, `require('cdk8s-rdma')`, a synth to objects) does
 * not load its 72 modules. cdk8s loads its own copy either way.
 */
export function yamlLibrary(): typeof Yaml {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deferred load is the point
  return (loaded ??= require('yaml') as typeof Yaml);
}
