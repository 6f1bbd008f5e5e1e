#!/usr/bin/env node
import { join, resolve } from 'path';
import { parseArgs } from 'util';
import { RdmaOptionError } from './errors';
import { writeFolders } from './output/bundle';
import { PROFILES, PROFILE_NAMES } from './profiles';
import { bundleFor } from './synth';
import { PACKAGE_VERSION } from './version';

const USAGE = `Usage: cdk8s-rdma <command> [options]

Commands:
  synth     write the YAML bundle of each profile (default options) to <out>/<profile>/
  list      list the profiles

Options of synth:
  --profile P   only this profile (default: every profile)
  --out DIR     output folder (default: dist)

  -h, --help     show this help
  -v, --version  show the version
`;

/** Exit codes: 0 success, 2 bad input (usage, options), 1 internal error. */
export function main(argv: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'profile': { type: 'string' },
        'out': { type: 'string' },
        'help': { type: 'boolean', short: 'h' },
        'version': { type: 'boolean', short: 'v' },
        'debug': { type: 'boolean' },
      },
    });
  } catch (e) {
    process.stderr.write(`cdk8s-rdma: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    process.stdout.write(`${PACKAGE_VERSION}\n`);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }
  try {
    if (rest.length > 0) throw new RdmaOptionError('cdk8s-rdma', 'argument', rest[0], 'is not expected', 'no positional arguments after the command');
    switch (command) {
      case 'list':
        for (const name of PROFILE_NAMES) process.stdout.write(`${name}\t${PROFILES[name].description}\n`);
        return 0;
      case 'synth': {
        const names = values.profile !== undefined ? [values.profile] : [...PROFILE_NAMES];
        const folders: Record<string, ReturnType<typeof bundleFor>> = {};
        for (const name of names) folders[name] = bundleFor(name, {});
        const out = resolve(values.out ?? 'dist');
        writeFolders(out, folders);
        for (const name of names) process.stdout.write(`${join(values.out ?? 'dist', name)}/ (${folders[name].length} files)\n`);
        return 0;
      }
      default:
        throw new RdmaOptionError('cdk8s-rdma', 'command', command, 'is not a known command', 'synth, list');
    }
  } catch (e) {
    if (e instanceof RdmaOptionError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    process.stderr.write(`cdk8s-rdma: internal error: ${(e as Error).message}\n`);
    if (values.debug) process.stderr.write(`${(e as Error).stack}\n`);
    return 1;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
