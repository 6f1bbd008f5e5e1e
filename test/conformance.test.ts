import { join } from 'path';
import { readFileSync } from 'fs';
import { IPPOOL_CRD_SPEC, MPIJOB_CRD_SPEC, NAD_CRD_SPEC, NODE_SLICE_POOL_CRD_SPEC, OVERLAPPING_RANGE_CRD_SPEC } from '../src/internal';
import { PROFILE_NAMES } from '../src/profiles';
import { synthProfile } from '../src/synth';
import { chartObjects } from '../src/helm/chart';
import { REFERENCE_CRD_IMPORTS } from '../scripts/import-crds';
import { StrictValidator, locateReference } from './reference';
import { PROFILE_VARIANTS } from './variants';
import { readDocuments } from './helpers';

const ref = locateReference();
if (!ref.dir) {
  // One loud line, then the suite reports as skipped.
  console.log(`SKIPPED conformance suite: ${ref.skipReason}`);
}
const describeRef = ref.dir ? describe : describe.skip;
// v1.27 is the oldest Kubernetes we support, v1.31 is OpenShift 4.18's, v1.36 the newest.
const KUBE_VERSIONS = ['v1.27.0', 'v1.31.0', 'v1.36.0'];
const UPSTREAM_MPIJOB_CRD = 'crds/kubeflow.org/kubeflow.org_mpijobs.v2beta1.yaml';
/** Upstream copies of the CRDs the bundles ship their own definitions of (Multus v4.3.0's NAD, whereabouts v0.9.4's). */
const UPSTREAM_NAD_CRD = 'crds/k8s.cni.cncf.io/k8s.cni.cncf.io_networkattachmentdefinitions_crd.yaml';
/** The older, minimal NAD definition (network-attachment-definition-client): our objects must validate against it too. */
const UPSTREAM_NAD_CRD_MINIMAL = 'crds/k8s.cni.cncf.io/networks-crd.yaml';
const UPSTREAM_WHEREABOUTS_CRDS = {
  ippools: 'crds/whereabouts.cni.cncf.io/whereabouts.cni.cncf.io_ippools.yaml',
  overlappingrangeipreservations: 'crds/whereabouts.cni.cncf.io/whereabouts.cni.cncf.io_overlappingrangeipreservations.yaml',
  nodeslicepools: 'crds/whereabouts.cni.cncf.io/whereabouts.cni.cncf.io_nodeslicepools.yaml',
};
const OWN_CRD_UPSTREAMS: [string, any, string][] = [
  ['mpijobs.kubeflow.org', MPIJOB_CRD_SPEC, UPSTREAM_MPIJOB_CRD],
  ['network-attachment-definitions.k8s.cni.cncf.io', NAD_CRD_SPEC, UPSTREAM_NAD_CRD],
  ['ippools.whereabouts.cni.cncf.io', IPPOOL_CRD_SPEC, UPSTREAM_WHEREABOUTS_CRDS.ippools],
  [
    'overlappingrangeipreservations.whereabouts.cni.cncf.io',
    OVERLAPPING_RANGE_CRD_SPEC,
    UPSTREAM_WHEREABOUTS_CRDS.overlappingrangeipreservations,
  ],
  ['nodeslicepools.whereabouts.cni.cncf.io', NODE_SLICE_POOL_CRD_SPEC, UPSTREAM_WHEREABOUTS_CRDS.nodeslicepools],
];

const KARPENTER_KUEUE_CRDS = [
  'crds/karpenter.sh/karpenter.sh_nodepools.yaml',
  'crds/karpenter.k8s.aws/karpenter.k8s.aws_ec2nodeclasses.yaml',
  'crds/kueue.x-k8s.io/kueue.x-k8s.io_topologies.yaml',
  'crds/kueue.x-k8s.io/kueue.x-k8s.io_resourceflavors.yaml',
  'crds/kueue.x-k8s.io/kueue.x-k8s.io_clusterqueues.yaml',
  'crds/kueue.x-k8s.io/kueue.x-k8s.io_localqueues.yaml',
];

/** Upstream CRDs of the OpenShift kinds we emit: the current line (HEAD) and OpenShift 4.18. */
const OPENSHIFT_CRDS: Record<string, string[]> = {
  // The CRDs imports/ is generated from (OpenShift's, the network-operator's), plus OLM's (emitted as plain
  // objects) and the upstream copies of the CNI CRDs we ship our own definitions of.
  current: [
    ...Object.values(REFERENCE_CRD_IMPORTS)
      .flat()
      .map(f => `crds/${f}`),
    UPSTREAM_NAD_CRD,
    ...Object.values(UPSTREAM_WHEREABOUTS_CRDS),
    'crds/operators.coreos.com/operators.coreos.com_operatorgroups.yaml',
    'crds/operators.coreos.com/operators.coreos.com_subscriptions.yaml',
    // Karpenter v1.14.1 and Kueue v0.19.2 (eks-efa's karpenter and kueue options).
    ...KARPENTER_KUEUE_CRDS,
  ],
  'openshift-4.18': [
    'crds/machineconfiguration.openshift.io/openshift-4.18/0000_80_machine-config_01_machineconfigs.crd.yaml',
    'crds/machineconfiguration.openshift.io/openshift-4.18/0000_80_machine-config_01_machineconfigpools-Default.crd.yaml',
    'crds/security.openshift.io/openshift-4.18/0000_03_config-operator_01_securitycontextconstraints-Default.crd.yaml',
    'crds/nfd.openshift.io/openshift-4.18/nfd.openshift.io_nodefeaturediscoveries.yaml',
    'crds/nfd.openshift.io/openshift-4.18/nfd.openshift.io_nodefeaturerules.yaml',
    'crds/machine.openshift.io/openshift-4.18/0000_10_machine-api_01_machinesets-Default.crd.yaml',
    'crds/autoscaling.openshift.io/openshift-4.18/01_clusterautoscaler.crd.yaml',
    'crds/autoscaling.openshift.io/openshift-4.18/02_machineautoscaler.crd.yaml',
    // OLM has no per-release copy: operator-framework/api serves every OpenShift 4.x.
    'crds/operators.coreos.com/operators.coreos.com_operatorgroups.yaml',
    'crds/operators.coreos.com/operators.coreos.com_subscriptions.yaml',
  ],
};

/**
 * Synthesized objects; `dra`: from options with `deviceApi: dra`, whose objects (resource.k8s.io/v1, pods with
 * `resourceClaimTemplateName`) exist from Kubernetes 1.34 on, so they are validated against v1.36.0 only.
 */
interface Synthesized {
  source: string;
  obj: any;
  openshiftMinor?: number;
  dra?: boolean;
}
const DRA_KUBE_VERSION = 'v1.36.0';

/** Every object of every profile, with default options and with the variants that change shapes. */
function allObjects(): Synthesized[] {
  const out: Synthesized[] = [];
  const add = (profile: string, name: string, options: any) => {
    const minor = profile === 'openshift-efa' ? Number(String(options.openshiftVersion ?? '4.18').split('.')[1]) : undefined;
    const dra = options.deviceApi === 'dra';
    out.push(...synthProfile(profile, options).map(obj => ({ source: `${profile} ${name}`, obj, openshiftMinor: minor, dra })));
  };
  for (const profile of PROFILE_NAMES) {
    add(profile, 'defaults', {});
    // The chart's objects too: its checks carry helm-only waiters (MPIJob waits for helm test).
    out.push(
      ...chartObjects(profile, {}).map(obj => ({
        source: `${profile} chart`,
        obj,
        openshiftMinor: profile === 'openshift-efa' ? 18 : undefined,
      })),
    );
    for (const [variant, options] of Object.entries(PROFILE_VARIANTS[profile] ?? {})) add(profile, variant, options);
  }
  return out;
}

const validators = new Map<string, StrictValidator>();
/** The validator of a Kubernetes version and CRD set, built once (each compiles its schemas as objects need them). */
function validator(version: string, crdSet: string): StrictValidator {
  const key = `${version}+${crdSet}`;
  if (!validators.has(key)) validators.set(key, newValidator(version, crdSet));
  return validators.get(key)!;
}

function newValidator(version: string, crdSet: string): StrictValidator {
  const v = new StrictValidator(join(ref.dir!, 'kubernetes', version, '_definitions.json'), `${version}+${crdSet}`);
  v.addCrdFile(join(ref.dir!, UPSTREAM_MPIJOB_CRD));
  for (const f of OPENSHIFT_CRDS[crdSet]) v.addCrdFile(join(ref.dir!, f));
  return v;
}

describeRef('conformance against ../shared/reference (strict: unknown fields fail)', () => {
  const objects = allObjects();
  const ownCrds = objects.filter(o => o.obj.kind === 'CustomResourceDefinition');

  test.each(KUBE_VERSIONS)('every object validates against Kubernetes %s and the current upstream CRDs', version => {
    const upstream = validator(version, 'current');
    const checked = objects.filter(o => !o.dra || version === DRA_KUBE_VERSION);
    const violations = checked.flatMap(({ source, obj }) => upstream.validate(obj).map(v => ({ source, ...v })));
    expect(violations).toEqual([]);
  });

  test('the DRA variants emit DeviceClasses, claim templates and claims, and Kubernetes 1.31 does not serve them', () => {
    const dra = objects.filter(o => o.dra);
    const kinds = new Set(dra.map(o => o.obj.kind));
    for (const k of ['DeviceClass', 'ResourceClaimTemplate', 'DaemonSet', 'Job', 'MPIJob']) expect([k, kinds.has(k)]).toEqual([k, true]);
    // No DRA variant requests a device plugin resource.
    const requested = dra.flatMap(o => JSON.stringify(o.obj).match(/"(vpc\.amazonaws\.com\/efa|rdma\/[a-z_]+)":"\d+"/g) ?? []);
    expect(requested).toEqual([]);
    // The v1.31.0 definitions know no resource.k8s.io/v1 (only v1alpha3): validating there must fail.
    const v131 = validator('v1.31.0', 'current');
    const deviceClass = dra.find(o => o.obj.kind === 'DeviceClass')!.obj;
    expect(v131.validate(deviceClass)).not.toEqual([]);
  });

  test.each(['v1.27.0', 'v1.31.0'])('OpenShift objects for 4.18 validate against Kubernetes %s and the OpenShift 4.18 CRDs', version => {
    const v418 = validator(version, 'openshift-4.18');
    const for418 = objects.filter(o => o.openshiftMinor !== undefined && o.openshiftMinor <= 18);
    expect(for418.some(o => o.obj.kind === 'NodeFeatureRule')).toBe(true);
    expect(for418.some(o => o.obj.kind === 'MachineSet')).toBe(true);
    expect(for418.flatMap(({ source, obj }) => v418.validate(obj).map(v => ({ source, ...v })))).toEqual([]);
  });

  test('4.19 and later get the upstream NodeFeatureRule group, which the 4.18 CRDs do not serve', () => {
    const later = objects.filter(o => o.openshiftMinor !== undefined && o.openshiftMinor >= 19 && o.obj.kind === 'NodeFeatureRule');
    expect(later.length).toBeGreaterThan(0);
    expect(later.every(o => o.obj.apiVersion === 'nfd.k8s-sigs.io/v1alpha1')).toBe(true);
    expect(validator('v1.31.0', 'openshift-4.18').validate(later[0].obj)[0].errors).toContain(
      'no schema for nfd.k8s-sigs.io/v1alpha1/NodeFeatureRule',
    );
  });

  test('every custom resource validates against the CRD the bundle ships', () => {
    const own = new StrictValidator(join(ref.dir!, 'kubernetes', 'v1.36.0', '_definitions.json'), 'own');
    for (const { obj } of ownCrds) own.addCrd(obj, `own ${obj.metadata.name}`);
    const custom = objects.filter(({ obj }) => ownCrds.some(c => c.obj.spec.group === obj.apiVersion.split('/')[0]));
    expect(custom.length).toBeGreaterThan(0);
    expect(custom.flatMap(({ source, obj }) => own.validate(obj).map(v => ({ source, ...v })))).toEqual([]);
  });

  test('a wrong field fails the strict validation (the check can fail)', () => {
    const v = validator('v1.27.0', 'current');
    const scc = structuredClone(objects.find(o => o.obj.kind === 'SecurityContextConstraints')!.obj);
    scc.allowHostNetwork = 'yes';
    scc.allowedCapabilites = [];
    expect(v.validate(scc)[0].errors).toContain('must NOT have additional properties');
    expect(v.validate(scc)[0].errors).toContain('must be boolean');
    const ds = structuredClone(objects.find(o => o.obj.kind === 'DaemonSet')!.obj);
    ds.spec.template.spec.hostNetwrok = true;
    expect(v.validate(ds)[0].errors).toContain('must NOT have additional properties');
    const job = structuredClone(objects.find(o => o.obj.kind === 'MPIJob')!.obj);
    job.spec.mpiReplicaSpecs.Worker.template.spec.containers[0].securityContext.capabilites = {};
    expect(v.validate(job)).toHaveLength(1);
    job.spec.mpiReplicaSpecs.Worker.template.spec.containers[0].securityContext = {};
    job.spec.slotsPerWorkers = 1;
    expect(v.validate(job)).toHaveLength(1);
    // A custom resource's metadata is checked against the version's ObjectMeta, in the same one violation.
    job.metadata.nmae = 'x';
    job.metadata.labels = { a: 1 };
    const [both] = v.validate(job);
    expect(both.errors).toMatch(/^data\/spec must NOT have additional properties/);
    expect(both.errors).toContain('data/metadata must NOT have additional properties');
    expect(both.errors).toContain('data/metadata/labels/a must be string');
    expect(
      v.validate({ ...structuredClone(objects.find(o => o.obj.kind === 'MPIJob')!.obj), metadata: { name: 'ok', nmae: 'x' } }),
    ).toEqual([expect.objectContaining({ errors: 'data/metadata must NOT have additional properties' })]);
  });

  test('two validators that register other schemas for one kind under one source name validate each against its own', () => {
    const crd = (field: string) => ({
      spec: {
        group: 'example.com',
        names: { kind: 'Widget' },
        versions: [{ name: 'v1', schema: { openAPIV3Schema: { type: 'object', properties: { [field]: { type: 'string' } } } } }],
      },
    });
    const [a, b] = ['v1.27.0', 'v1.31.0'].map(
      v => new StrictValidator(join(ref.dir!, 'kubernetes', v, '_definitions.json'), `${v}+widget`),
    );
    a.addCrd(crd('size'), 'widget.yaml');
    b.addCrd(crd('colour'), 'widget.yaml');
    const widget = (field: string) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, [field]: 'x' });
    expect([a.validate(widget('size')), b.validate(widget('colour'))]).toEqual([[], []]);
    expect([a.validate(widget('colour')), b.validate(widget('size'))]).toEqual([
      [expect.objectContaining({ errors: expect.stringContaining('must NOT have additional properties') })],
      [expect.objectContaining({ errors: expect.stringContaining('must NOT have additional properties') })],
    ]);
  });

  test.each(OWN_CRD_UPSTREAMS)(
    'every field our %s CRD declares exists upstream with the same type and required list',
    (_name, ours, file) => {
      const upstreamCrd = readDocuments(readFileSync(join(ref.dir!, file), 'utf8')).find(d => d?.kind === 'CustomResourceDefinition');
      for (const version of ours.versions) {
        const up = upstreamCrd.spec.versions.find((v: any) => v.name === version.name);
        expect(up).toBeDefined();
        expect(crdSchemaProblems(version.schema.openAPIV3Schema, up.schema.openAPIV3Schema)).toEqual([]);
      }
      expect(ours.group).toBe(upstreamCrd.spec.group);
      expect(ours.names).toEqual(upstreamCrd.spec.names);
      expect(ours.scope).toBe(upstreamCrd.spec.scope);
    },
  );

  test('the compatibility check catches a field upstream lacks, a type change and a required field upstream does not require', () => {
    const up = { type: 'object', properties: { spec: { type: 'object', properties: { range: { type: 'string' } } } } };
    const ours = {
      type: 'object',
      properties: { spec: { type: 'object', required: ['range'], properties: { range: { type: 'integer' }, extra: { type: 'string' } } } },
    };
    expect(crdSchemaProblems(ours, up)).toEqual([
      '.spec: required [range] upstream []',
      '.spec.range: type integer upstream string',
      '.spec.extra: not upstream',
    ]);
  });

  test('objects of the CNI CRDs validate against the older minimal NetworkAttachmentDefinition definition too', () => {
    const v = new StrictValidator(join(ref.dir!, 'kubernetes', 'v1.27.0', '_definitions.json'), 'minimal-nad');
    v.addCrdFile(join(ref.dir!, UPSTREAM_NAD_CRD_MINIMAL));
    const nads = objects.filter(o => o.obj.kind === 'NetworkAttachmentDefinition');
    expect(nads.length).toBeGreaterThan(0);
    expect(nads.flatMap(({ source, obj }) => v.validate(obj).map(x => ({ source, ...x })))).toEqual([]);
  });
});

/** Differences of our CRD schema from upstream's: fields upstream lacks, other types, formats, defaults, enums, required lists. */
function crdSchemaProblems(ours: any, upstream: any): string[] {
  const problems: string[] = [];
  const walk = (o: any, u: any, path: string) => {
    if (!u) {
      problems.push(`${path}: not upstream`);
      return;
    }
    if (o.type !== u.type) problems.push(`${path}: type ${o.type} upstream ${u.type}`);
    if (o.format !== u.format) problems.push(`${path}: format ${o.format} upstream ${u.format}`);
    if (o.default !== undefined && JSON.stringify(o.default) !== JSON.stringify(u.default)) problems.push(`${path}: default differs`);
    if (o.enum && JSON.stringify(o.enum) !== JSON.stringify(u.enum)) problems.push(`${path}: enum differs`);
    const req = (x: any) => JSON.stringify([...(x.required ?? [])].sort());
    if (req(o) !== req(u)) problems.push(`${path || '.'}: required ${req(o).replace(/"/g, '')} upstream ${req(u).replace(/"/g, '')}`);
    for (const [k, v] of Object.entries(o.properties ?? {})) walk(v, u.properties?.[k], `${path}.${k}`);
    if (o.items) walk(o.items, u.items, `${path}[]`);
    if (o.additionalProperties && typeof o.additionalProperties === 'object')
      walk(o.additionalProperties, u.additionalProperties, `${path}{}`);
  };
  walk(ours, upstream, '');
  return problems;
}

test('RDMA_REFERENCE_DIR set to a missing folder is an error, not a skip', () => {
  const saved = process.env.RDMA_REFERENCE_DIR;
  process.env.RDMA_REFERENCE_DIR = '/nonexistent/reference';
  try {
    expect(() => locateReference()).toThrow(
      'RDMA_REFERENCE_DIR is set to /nonexistent/reference but /nonexistent/reference/kubernetes does not exist',
    );
  } finally {
    if (saved === undefined) delete process.env.RDMA_REFERENCE_DIR;
    else process.env.RDMA_REFERENCE_DIR = saved;
  }
});
