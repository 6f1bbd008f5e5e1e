import { createHash } from 'crypto';
import { readdirSync } from 'fs';
import { join } from 'path';
import { writeOutputs } from './commit';
import { RUN_LABEL } from '../checks';
import { PACKAGE_VERSION } from '../version';
import { toYamlText } from './yaml';

/** A Kubernetes object as synthesized JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a manifest's fields beyond its identity are untyped JSON
export type KubeObject = Record<string, any> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
};

/** Apply phases: a file's two-digit prefix, so the folder's sort order is its apply order. */
const PHASES: Record<string, number> = {
  CustomResourceDefinition: 0,
  Namespace: 10,
  ClusterRole: 20,
  ClusterRoleBinding: 20,
  SecurityContextConstraints: 20,
  PriorityClass: 20,
  // DRA: the device classes claims name, then the claim templates pods name.
  DeviceClass: 20,
  ResourceClaimTemplate: 40,
  // Node configuration: the pool first, then the configs it renders (changes reboot the pool's nodes).
  MachineConfigPool: 20,
  MachineConfig: 25,
  ServiceAccount: 30,
  Role: 30,
  RoleBinding: 30,
  OperatorGroup: 30,
  ConfigMap: 40,
  Service: 40,
  Subscription: 40,
  NetworkAttachmentDefinition: 40,
  DaemonSet: 50,
  Deployment: 50,
  StatefulSet: 50,
  // NVIDIA network-operator resources (operator mode of baremetal-ipoib); the operator renders DaemonSets and NADs.
  NicClusterPolicy: 50,
  IPoIBNetwork: 50,
  MachineSet: 60,
  MachineAutoscaler: 60,
  ClusterAutoscaler: 60,
  // Karpenter: the node class before the pool that names it. Kueue: topology and flavor, then the queues.
  EC2NodeClass: 55,
  NodePool: 60,
  Topology: 60,
  ResourceFlavor: 65,
  ClusterQueue: 70,
  LocalQueue: 75,
};
/** Everything else (custom resources such as NodeFeatureDiscovery/NodeFeatureRule/MPIJob, Jobs, Pods) comes last. */
const LAST_PHASE = 90;

export function phaseOf(obj: Pick<KubeObject, 'kind'>): number {
  return PHASES[obj.kind] ?? LAST_PHASE;
}

/** The bundle file name of an object: `<phase>-<kind>-<name>.yaml`, namespaced ones with `.<namespace>`. */
export function fileNameOf(obj: KubeObject): string {
  const phase = String(phaseOf(obj)).padStart(2, '0');
  const ns = obj.metadata.namespace ? `.${obj.metadata.namespace}` : '';
  return `${phase}-${obj.kind.toLowerCase()}-${obj.metadata.name}${ns}.yaml`;
}

/** YAML for one object, as cdk8s writes it (keys already sorted by cdk8s, no line wrapping). */
export function toYaml(obj: KubeObject): string {
  return toYamlText(obj);
}

export interface BundleFile {
  readonly path: string;
  readonly content: string;
}

export interface BundleInput {
  readonly profile: string;
  /** The options the user gave (defaults are those of this version). */
  readonly options: unknown;
  readonly objects: KubeObject[];
  /**
   * `platform` (dist/<profile>/: stays installed, upgraded in place) or `checks` (dist/<profile>-checks/:
   * one-shot checks, named per run).
   * @default 'platform'
   */
  readonly lifecycle?: 'platform' | 'checks';
}

export const METADATA_FILE = 'bundle.json';
export const KUSTOMIZATION_FILE = 'kustomization.yaml';

/**
 * The files of `dist/<profile>/` (or `dist/<profile>-checks/`): one YAML file per object in apply order (CRDs, Namespaces, cluster-scoped
 * RBAC, namespaced RBAC, config, workloads, then custom resources and jobs), a kustomization.yaml listing
 * them, and bundle.json (profile, version, options, sha256 of every file). Pure: same input, same bytes.
 */
export function renderBundle(input: BundleInput): BundleFile[] {
  const files = new Map<string, string>();
  for (const obj of input.objects) {
    const name = fileNameOf(obj);
    if (files.has(name)) throw new Error(`cdk8s-rdma: two objects map to bundle file ${name} in profile ${input.profile}`);
    files.set(name, toYaml(obj));
  }
  const names = [...files.keys()].sort();
  const kustomization = toYamlText({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: names,
  });
  const out: BundleFile[] = names.map(path => ({ path, content: files.get(path)! }));
  out.push({ path: KUSTOMIZATION_FILE, content: kustomization });
  const lifecycle = input.lifecycle ?? 'platform';
  const runs = [
    ...new Set(input.objects.map(o => o.metadata.labels?.[RUN_LABEL]).filter((r): r is string => typeof r === 'string')),
  ].sort();
  const metadata = {
    generator: 'cdk8s-rdma',
    profile: input.profile,
    version: PACKAGE_VERSION,
    lifecycle,
    // Where the other half of the profile is, relative to this folder.
    ...(lifecycle === 'platform' ? { checks: `../${input.profile}-checks` } : { platform: `../${input.profile}`, runs }),
    options: input.options ?? {},
    files: out.map(f => ({ path: f.path, sha256: sha256(f.content) })),
  };
  out.push({ path: METADATA_FILE, content: JSON.stringify(metadata, null, 2) + '\n' });
  return out;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export type { OutputFile, OutputSet } from './commit';
export { OutputPathError, writeFileAtomic, writeOutputs } from './commit';

/** Writes several folders under `outDir` at once (see writeOutputs). */
export function writeFolders(outDir: string, folders: Record<string, readonly BundleFile[]>): void {
  writeOutputs([{ dir: outDir, folders }]);
}

/** Lists the files under a folder, relative paths, sorted. */
export function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}
