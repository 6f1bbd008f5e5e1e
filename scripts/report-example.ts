/**
 * Writes the report example in docs/ from our sample logs: an OSU latency run over EFA, its TCP twin, and an
 * EFA run that fell back to TCP. `npm run synth` runs it; a test fails when docs/ is stale.
 */
import { writeFileSync } from 'fs';
import { join } from 'path';
import { renderReport, ReportFormat } from '../src/report';

export const EXAMPLE_DIR = 'docs';
/** Run arguments as a user would give them, relative to the repository root. */
export const EXAMPLE_RUNS = [
  'efa=test/fixtures/report/osu-latency-efa-v7.3.log',
  'tcp=test/fixtures/report/osu-latency-tcp-v5.7.1.log',
  'efa-fallback=test/fixtures/report/osu-latency-efa-fallback-v7.3.log',
];
export const EXAMPLE_FILES: Record<string, ReportFormat> = { 'report-example.md': 'md', 'report-example.svg': 'svg' };

export async function renderExample(root: string): Promise<Record<string, string>> {
  const cwd = process.cwd();
  process.chdir(root);
  try {
    const out: Record<string, string> = {};
    for (const [file, format] of Object.entries(EXAMPLE_FILES)) out[file] = (await renderReport(EXAMPLE_RUNS, [], format)).content;
    return out;
  } finally {
    process.chdir(cwd);
  }
}

if (require.main === module) {
  const root = join(__dirname, '..');
  void renderExample(root).then(files => {
    for (const [file, content] of Object.entries(files)) {
      writeFileSync(join(root, EXAMPLE_DIR, file), content);
      console.log(join(EXAMPLE_DIR, file));
    }
  });
}
