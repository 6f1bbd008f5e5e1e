import { readFileSync } from 'fs';
import { join } from 'path';

function findPackageVersion(): string {
  // src/version.ts runs from src/ (tsx, jest) or lib/src/ (compiled): walk up to package.json.
  for (const rel of ['..', '../..']) {
    try {
      const pkg = JSON.parse(readFileSync(join(__dirname, rel, 'package.json'), 'utf8'));
      if (pkg.name === 'cdk8s-rdma') return pkg.version;
    } catch {
      // try the next candidate
    }
  }
  throw new Error('cdk8s-rdma: cannot find its own package.json to read the version');
}

/** The package version; every emitted object carries it as `app.kubernetes.io/version`. */
export const PACKAGE_VERSION: string = findPackageVersion();
