#!/usr/bin/env node
import { join, resolve } from 'path';
import { parseArgs } from 'util';
import { RdmaOptionError } from './errors';
import { chartArchiveName, packageChart, renderChart } from './helm/chart';
import { BundleFile, OutputFile, OutputSet, writeOutputs } from './output/bundle';
import { PROFILES, PROFILE_NAMES } from './profiles';
import { bundleFor } from './synth';
import { PACKAGE_VERSION } from './version';

const USAGE = `Usage: cdk8s-rdma <command> [options]

Commands:
  synth     write each profile (default options) as a YAML bundle and/or a Helm chart
  list      list the profiles

Options of synth:
  --profile P     only this profile (default: every profile)
  --format F      yaml: <out>/<profile>/; helm: <charts>/<profile>/ and <out>/charts/<profile>-<version>.tgz;
                  all: both (default: yaml)
  --out DIR       output folder of the bundles and chart archives (default: dist)
  --charts DIR    output folder of the chart folders (default: charts)

  -h, --help     show this help
  -v, --version  show the version
`;

const FORMATS = ['yaml', 'helm', 'all'];

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
        'charts': { type: 'string' },
        'format': { type: 'string' },
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
        const format = values.format ?? 'yaml';
        if (!FORMATS.includes(format)) throw new RdmaOptionError('cdk8s-rdma', '--format', format, 'is not a known format', FORMATS.join(', '));
        const names = values.profile !== undefined ? [values.profile] : [...PROFILE_NAMES];
        const outDir = values.out ?? 'dist';
        const chartsDir = values.charts ?? 'charts';
        const sets: OutputSet[] = [];
        const written: string[] = [];
        if (format !== 'helm') {
          const folders: Record<string, BundleFile[]> = {};
          for (const name of names) folders[name] = bundleFor(name, {});
          sets.push({ dir: resolve(outDir), folders });
          for (const name of names) written.push(`${join(outDir, name)}/ (${folders[name].length} files)`);
        }
        if (format !== 'yaml') {
          const charts: Record<string, BundleFile[]> = {};
          const archives: OutputFile[] = [];
          for (const name of names) {
            charts[name] = renderChart(name);
            archives.push({ path: chartArchiveName(name), content: packageChart(name, charts[name]) });
          }
          sets.push({ dir: resolve(chartsDir), folders: charts });
          // Every profile: dist/charts/ is replaced whole (no archives of older versions stay); one profile: its archive only.
          sets.push(values.profile === undefined
            ? { dir: resolve(outDir), folders: { charts: archives } }
            : { dir: resolve(outDir), files: Object.fromEntries(archives.map(a => [`charts/${a.path}`, a.content])) });
          for (const name of names) written.push(`${join(chartsDir, name)}/ (${charts[name].length} files)`, join(outDir, 'charts', chartArchiveName(name)));
        }
        writeOutputs(sets);
        for (const line of written) process.stdout.write(`${line}\n`);
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
