/**
 * Infers every profile's chart templates (the generator: gate-mode synths and the flips of the switches) and
 * stores them in src/data/chart-templates/<profile>.json, which ships with the package: the templates are the
 * same for any values, so `cdk8s-rdma synth --format helm|all` renders charts from them instead of inferring
 * them on every run. `npm run synth` runs this before the CLI; a test fails when a stored set is stale.
 */
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { CHART_TEMPLATES_DIR, ChartTemplateSet, inferChartTemplateSet } from '../src/helm/chart';
import { PROFILE_NAMES } from '../src/profiles';
import { PACKAGE_VERSION } from '../src/version';

/** The stored file of a template set: the package version it belongs to, the files, the singletons. */
export function templateSetFileContent(set: ChartTemplateSet): string {
  return `${JSON.stringify({ version: PACKAGE_VERSION, files: set.files, singletons: set.singletons }, null, 1)}\n`;
}

if (require.main === module) {
  mkdirSync(CHART_TEMPLATES_DIR, { recursive: true });
  for (const profile of PROFILE_NAMES) {
    writeFileSync(join(CHART_TEMPLATES_DIR, `${profile}.json`), templateSetFileContent(inferChartTemplateSet(profile)));
    process.stdout.write(`src/data/chart-templates/${profile}.json\n`);
  }
}
