/**
 * Writes the project's own CRD definitions (src/crds) as YAML files under imports/crds/ and runs
 * `cdk8s import` on them, so imports/ holds typed classes for exactly the CRDs we emit. Offline.
 * Run with `npm run import`; commit imports/.
 */
import { execFileSync } from 'child_process';
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { crdDocuments } from '../src/crds';

const root = join(__dirname, '..');
mkdirSync(join(root, 'imports', 'crds'), { recursive: true });
for (const { file, yaml } of crdDocuments()) {
  writeFileSync(join(root, 'imports', 'crds', file), yaml);
  execFileSync('npx', ['cdk8s', 'import', `imports/crds/${file}`, '--no-save', '--no-check-upgrade', '-l', 'typescript', '-o', 'imports'], {
    cwd: root, stdio: 'inherit',
  });
}
