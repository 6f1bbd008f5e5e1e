/**
 * Generates the typed L1 classes in imports/ with an offline `cdk8s import`. Run with `npm run import`;
 * commit imports/.
 *
 * 1. The CRDs the bundles ship (our own definitions in src/crds) are written as YAML under imports/crds/
 *    and imported from there.
 * 2. The upstream CRDs whose objects we emit but never ship (OpenShift's, and the NVIDIA network-operator's,
 *    which the cluster or the operator owns) are imported from the upstream copies in the reference folder (RDMA_REFERENCE_DIR, or ../shared/reference beside the
 *    repository). Files of one API group are joined in a temporary folder outside the repository, so
 *    `cdk8s import` writes one module per group; nothing from the reference folder lands in the project
 *    except the generated TypeScript.
 */
import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { crdDocuments } from '../src/crds';

const root = join(__dirname, '..');

/** Upstream CRD files (relative to <reference>/crds) per API group, current OpenShift line. */
export const OPENSHIFT_CRD_IMPORTS: Record<string, string[]> = {
  'machineconfiguration.openshift.io': [
    'machineconfiguration.openshift.io/0000_80_machine-config_01_machineconfigs.crd.yaml',
    'machineconfiguration.openshift.io/0000_80_machine-config_01_machineconfigpools.crd.yaml',
  ],
  'security.openshift.io': ['security.openshift.io/0000_03_config-operator_01_securitycontextconstraints.crd.yaml'],
  'nfd.openshift.io': [
    'nfd.openshift.io/nfd.openshift.io_nodefeaturediscoveries.yaml',
    'nfd.openshift.io/nfd.openshift.io_nodefeaturerules.yaml',
  ],
  'nfd.k8s-sigs.io': ['nfd.k8s-sigs.io/openshift-nfd-operator/nfd.k8s-sigs.io_nodefeaturerules.yaml'],
  'machine.openshift.io': ['machine.openshift.io/0000_10_machine-api_01_machinesets-Default.crd.yaml'],
  'autoscaling.openshift.io': [
    'autoscaling.openshift.io/01_clusterautoscaler.crd.yaml',
    'autoscaling.openshift.io/02_machineautoscaler.crd.yaml',
  ],
};

/** Upstream CRD files of other operators whose custom resources we emit (operator mode of baremetal-ipoib). */
export const OPERATOR_CRD_IMPORTS: Record<string, string[]> = {
  'mellanox.com': ['mellanox.com/mellanox.com_nicclusterpolicies.yaml', 'mellanox.com/mellanox.com_ipoibnetworks.yaml'],
  'nv-ipam.nvidia.com': ['nv-ipam.nvidia.com/nv-ipam.nvidia.com_ippools.yaml'],
};

/** Every upstream CRD file imports/ is generated from, per API group. */
export const REFERENCE_CRD_IMPORTS: Record<string, string[]> = { ...OPENSHIFT_CRD_IMPORTS, ...OPERATOR_CRD_IMPORTS };

function cdk8sImport(file: string): void {
  execFileSync('npx', ['cdk8s', 'import', file, '--no-save', '--no-check-upgrade', '-l', 'typescript', '-o', 'imports'], {
    cwd: root,
    stdio: 'inherit',
  });
}

function referenceDir(): string {
  const dir = resolve(process.env.RDMA_REFERENCE_DIR || join(root, '..', 'shared', 'reference'));
  if (!existsSync(join(dir, 'crds'))) throw new Error(`no reference CRDs at ${dir}/crds (set RDMA_REFERENCE_DIR)`);
  return dir;
}

if (require.main === module) {
  mkdirSync(join(root, 'imports', 'crds'), { recursive: true });
  for (const { file, yaml } of crdDocuments()) {
    writeFileSync(join(root, 'imports', 'crds', file), yaml);
    cdk8sImport(`imports/crds/${file}`);
  }

  const ref = referenceDir();
  const tmp = mkdtempSync(join(tmpdir(), 'cdk8s-rdma-import-'));
  try {
    for (const [group, files] of Object.entries(REFERENCE_CRD_IMPORTS)) {
      const joined = files.map(f => readFileSync(join(ref, 'crds', f), 'utf8').replace(/^---\n/, '')).join('\n---\n');
      const file = join(tmp, `${group}.yaml`);
      writeFileSync(file, joined);
      cdk8sImport(file);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
