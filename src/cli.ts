#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { join, resolve } from 'path';
import { RdmaOptionError, printable } from './errors';
import { migrateOptions, onDeprecation } from './deprecations';
import { chartArchiveName, packageChart, renderChart, storedChartTemplateSet } from './helm/chart';
import { optionDefault, optionLeaves, optionType, optionsSchema } from './options-schema';
import { BundleFile, OutputFile, OutputPathError, OutputSet, writeFileAtomic, writeOutputs } from './output/bundle';
import { PROFILES, PROFILE_NAMES } from './profiles';
import { BASELINE_NAMES, baselineHelp, renderReport, ReportFormat, ReportInputError, REPORT_FORMATS } from './report';
import { bundlesFor, checksBundleName, synthProfile } from './synth';
import { readValuesFile, validateOptions } from './values';
import { PACKAGE_VERSION } from './version';

const FORMATS = ['yaml', 'helm', 'all'] as const;

interface SynthFlags {
  readonly profile?: string;
  readonly values?: string;
  readonly out: string;
  readonly charts: string;
  readonly format: (typeof FORMATS)[number];
  readonly checksOnly?: boolean;
}

function checkProfile(name: string): string {
  if (!PROFILES[name]) throw new RdmaOptionError('cdk8s-rdma', '--profile', name, 'is not a known profile', PROFILE_NAMES.join(', '));
  return name;
}

/**
 * Everything is computed first and written at once (writeOutputs: staged, journaled, swapped under a lock): on
 * any error nothing is written, and an interrupted run leaves the old or the new output, which the next run completes.
 */
function synth(flags: SynthFlags, print: (line: string) => void): void {
  if (flags.values !== undefined && flags.profile === undefined) {
    throw new RdmaOptionError('cdk8s-rdma', '--values', flags.values, 'needs --profile', 'a values file together with --profile <name>');
  }
  if (flags.checksOnly && flags.format !== 'yaml') {
    throw new RdmaOptionError(
      'cdk8s-rdma',
      '--checks-only',
      flags.format,
      'writes YAML bundles only (the charts carry the checks as helm test hooks)',
      '--checks-only with --format yaml',
    );
  }
  const names = flags.profile !== undefined ? [checkProfile(flags.profile)] : [...PROFILE_NAMES];
  let options: Record<string, unknown> = {};
  if (flags.values !== undefined) {
    options = readValuesFile(flags.values) as Record<string, unknown>;
    validateOptions(names[0], options);
    // Deprecated paths under their new names: the chart's values.yaml and bundle.json hold only those.
    options = migrateOptions(names[0], PROFILES[names[0]].deprecatedOptions, options);
  }
  const sets: OutputSet[] = [];
  const written: string[] = [];
  if (flags.format !== 'helm') {
    const folders: Record<string, BundleFile[]> = {};
    for (const name of names) {
      const { platform, checks } = bundlesFor(name, options);
      if (!flags.checksOnly) folders[name] = platform;
      folders[checksBundleName(name)] = checks;
    }
    sets.push({ dir: resolve(flags.out), label: '--out', folders, keepForeign: true });
    for (const folder of Object.keys(folders)) written.push(`${join(flags.out, folder)}/ (${folders[folder].length} files)`);
  }
  if (flags.format !== 'yaml') {
    const charts: Record<string, BundleFile[]> = {};
    const archives: OutputFile[] = [];
    // The profile checks the options even when only the chart is written; the chart takes them as its defaults.
    if (flags.format === 'helm' && flags.values !== undefined) synthProfile(names[0], options);
    for (const name of names) {
      // The templates npm run synth stored with the package (inferred afresh when there are none).
      charts[name] = renderChart(name, options, {}, storedChartTemplateSet(name));
      archives.push({ path: chartArchiveName(name), content: packageChart(name, charts[name]) });
    }
    sets.push({ dir: resolve(flags.charts), label: '--charts', folders: charts });
    // Every profile: <out>/charts/ is replaced whole (no archive of an older version stays); one profile: its archive only.
    sets.push(
      flags.profile === undefined
        ? { dir: resolve(flags.out), label: '--out', folders: { charts: archives } }
        : { dir: resolve(flags.out), label: '--out', files: Object.fromEntries(archives.map(a => [`charts/${a.path}`, a.content])) },
    );
    for (const name of names)
      written.push(`${join(flags.charts, name)}/ (${charts[name].length} files)`, join(flags.out, 'charts', chartArchiveName(name)));
  }
  writeOutputs(sets);
  written.forEach(print);
}

function list(profile: string | undefined, print: (line: string) => void): void {
  const names = profile !== undefined ? [checkProfile(profile)] : [...PROFILE_NAMES];
  for (const name of names) {
    print(`${name}\t${PROFILES[name].description}`);
    const leaves = optionLeaves(optionsSchema(name));
    const width = Math.max(...leaves.map(l => l.path.length));
    for (const l of leaves) print(`  ${l.path.padEnd(width)}  ${optionType(l.schema)}  (default: ${optionDefault(l.schema)})`);
  }
}

interface ReportFlags {
  readonly baseline: string[];
  readonly format: ReportFormat;
  readonly out?: string;
}

/** Reads the logs, then prints the report or writes it to --out atomically (nothing is written on error). */
async function report(files: string[], flags: ReportFlags, out: (s: string) => void, err: (s: string) => void): Promise<void> {
  const { content, warnings } = await renderReport(files, flags.baseline, flags.format);
  // Warnings follow the report, so a failure to write it is the one line on stderr.
  if (flags.out === undefined) out(content);
  else writeFileAtomic(resolve(flags.out), content);
  warnings.forEach(w => err(`cdk8s-rdma: warning: ${printable(w)}\n`));
}

/**
 * The cdk8s-rdma command. Exit codes: 0 success, 2 bad input (usage, values, options), 1 internal error
 * (a short message; the stack trace with --debug).
 */
export async function main(argv: string[]): Promise<number> {
  const out = (s: string) => process.stdout.write(s);
  const err = (s: string) => process.stderr.write(s);
  const print = (line: string) => out(`${line}\n`);
  let debug = argv.includes('--debug');
  const program = new Command('cdk8s-rdma')
    .description('RDMA networking (AWS EFA, InfiniBand) for MPI/HPC/ML jobs on Kubernetes: profiles as YAML bundles and Helm charts')
    .version(PACKAGE_VERSION, '-v, --version', 'print the version')
    .option('--debug', 'print stack traces of internal errors')
    .exitOverride()
    // A usage error is one line: commander's message, escaped, with the hint (README, exit codes).
    .configureOutput({
      writeOut: out,
      writeErr: err,
      outputError: (text, write) => write(`cdk8s-rdma: ${printable(text.trim().replace(/^error: /, ''))} (run with --help for usage)\n`),
    });
  program
    .command('synth')
    .description(
      'write profiles as YAML bundles (the platform in <out>/<profile>/, the one-shot checks in <out>/<profile>-checks/) and/or Helm charts (<charts>/<profile>/, <out>/charts/<profile>-<version>.tgz)',
    )
    .option('-p, --profile <name>', `only this profile: ${PROFILE_NAMES.join(', ')} (default: every profile)`)
    .option('-f, --values <file>', 'options of the profile as YAML or JSON, checked against its options schema (needs --profile)')
    .option('-o, --out <dir>', 'folder of the bundles and chart archives', 'dist')
    .option('--charts <dir>', 'folder of the chart folders', 'charts')
    .addOption(new Option('--format <format>', 'what to write').choices(FORMATS).default('yaml'))
    .option('--checks-only', 'write only the checks bundles (<out>/<profile>-checks/), e.g. to run the checks with other options')
    .action((flags: SynthFlags) => synth(flags, print));
  program
    .command('list')
    .description('list the profiles and every option of each, with its type and default')
    .option('-p, --profile <name>', 'only this profile')
    .action((flags: { profile?: string }) => list(flags.profile, print));
  program
    .command('report')
    .description(
      'read benchmark logs (OSU, perftest, fi_pingpong, Markdown pingpong tables), compare the runs side by side and with published baselines, and give a verdict per run',
    )
    .argument('<logs...>', 'log files; NAME=FILE names a run (default: the file name); a name holding efa, ib or tcp sets its fabric')
    .option(
      '-b, --baseline <name>',
      `compare with this built-in baseline; repeatable (default: each run's own): ${BASELINE_NAMES.join(', ')}`,
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .addOption(
      new Option('--format <format>', 'md (tables and verdicts), json, or svg (plot of value vs message size)')
        .choices(REPORT_FORMATS)
        .default('md'),
    )
    .option('-o, --out <file>', 'write the report to this file (default: standard output)')
    .addHelpText('after', baselineHelp())
    .action((logs: string[], flags: ReportFlags) => report(logs, flags, out, err));

  // A deprecated option path in a values file still works: one warning line each.
  const previousHandler = onDeprecation(message => err(`cdk8s-rdma: warning: ${printable(message)}\n`));
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return 2;
    }
    await program.parseAsync(argv, { from: 'user' });
    debug = program.opts().debug === true;
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof RdmaOptionError) {
      err(`${e.message.startsWith('cdk8s-rdma') ? '' : 'cdk8s-rdma: '}${e.message}\n`);
      return 2;
    }
    if (e instanceof OutputPathError) {
      err(`${e.message}\n`);
      return 2;
    }
    if (e instanceof ReportInputError) {
      err(`cdk8s-rdma: ${e.message.startsWith('report:') ? '' : 'report: '}${e.message}\n`);
      return 2;
    }
    err(`cdk8s-rdma: internal error: ${(e as Error).message}\n`);
    if (debug) err(`${(e as Error).stack}\n`);
    return 1;
  } finally {
    onDeprecation(previousHandler);
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then(code => {
    process.exitCode = code;
  });
}
