import { join } from 'path';
import { parseAllDocuments } from 'yaml';
import { readFileSync } from 'fs';
import { MPIJOB_CRD_SPEC } from '../src';
import { PROFILE_NAMES } from '../src/profiles';
import { synthProfile } from '../src/synth';
import { StrictValidator, locateReference } from './reference';
import { PROFILE_VARIANTS } from './variants';

const ref = locateReference();
if (!ref.dir) {
  // One loud line, then the suite reports as skipped.
  console.log(`SKIPPED conformance suite: ${ref.skipReason}`);
}
const describeRef = ref.dir ? describe : describe.skip;
const KUBE_VERSIONS = ['v1.27.0', 'v1.36.0'];
const UPSTREAM_MPIJOB_CRD = 'crds/kubeflow.org/kubeflow.org_mpijobs.v2beta1.yaml';

/** Every object of every profile, with default options and with the variants that change shapes. */
function allObjects(): { source: string; obj: any }[] {
  const out: { source: string; obj: any }[] = [];
  for (const profile of PROFILE_NAMES) {
    out.push(...synthProfile(profile, {}).map(obj => ({ source: `${profile} defaults`, obj })));
    for (const [variant, options] of Object.entries(PROFILE_VARIANTS[profile] ?? {})) {
      out.push(...synthProfile(profile, options).map(obj => ({ source: `${profile} ${variant}`, obj })));
    }
  }
  return out;
}

describeRef('conformance against ../shared/reference (strict: unknown fields fail)', () => {
  const objects = allObjects();
  const ownCrds = objects.filter(o => o.obj.kind === 'CustomResourceDefinition');

  test.each(KUBE_VERSIONS)('every object validates against Kubernetes %s and the upstream CRDs', (version) => {
    const upstream = new StrictValidator(join(ref.dir!, 'kubernetes', version, '_definitions.json'), version);
    upstream.addCrdFile(join(ref.dir!, UPSTREAM_MPIJOB_CRD));
    const violations = objects.flatMap(({ source, obj }) => upstream.validate(obj).map(v => ({ source, ...v })));
    expect(violations).toEqual([]);
  });

  test('every custom resource validates against the CRD the bundle ships', () => {
    const own = new StrictValidator(join(ref.dir!, 'kubernetes', 'v1.36.0', '_definitions.json'), 'own');
    for (const { obj } of ownCrds) own.addCrd(obj, `own ${obj.metadata.name}`);
    const custom = objects.filter(({ obj }) => ownCrds.some(c => c.obj.spec.group === obj.apiVersion.split('/')[0]));
    expect(custom.length).toBeGreaterThan(0);
    expect(custom.flatMap(({ source, obj }) => own.validate(obj).map(v => ({ source, ...v })))).toEqual([]);
  });

  test('a wrong field fails the strict validation (the check can fail)', () => {
    const v = new StrictValidator(join(ref.dir!, 'kubernetes', 'v1.27.0', '_definitions.json'), 'v1.27.0');
    v.addCrdFile(join(ref.dir!, UPSTREAM_MPIJOB_CRD));
    const ds = structuredClone(objects.find(o => o.obj.kind === 'DaemonSet')!.obj);
    ds.spec.template.spec.hostNetwrok = true;
    expect(v.validate(ds)[0].errors).toContain('must NOT have additional properties');
    const job = structuredClone(objects.find(o => o.obj.kind === 'MPIJob')!.obj);
    job.spec.mpiReplicaSpecs.Worker.template.spec.containers[0].securityContext.capabilites = {};
    expect(v.validate(job)).toHaveLength(1);
    job.spec.mpiReplicaSpecs.Worker.template.spec.containers[0].securityContext = {};
    job.spec.slotsPerWorkers = 1;
    expect(v.validate(job)).toHaveLength(1);
  });

  test('every field our MPIJob CRD declares exists upstream with the same type', () => {
    const upstreamCrd = parseAllDocuments(readFileSync(join(ref.dir!, UPSTREAM_MPIJOB_CRD), 'utf8')).map(d => d.toJS()).find(d => d?.kind === 'CustomResourceDefinition');
    const up = upstreamCrd.spec.versions.find((v: any) => v.name === 'v2beta1').schema.openAPIV3Schema;
    const ours = MPIJOB_CRD_SPEC.versions[0].schema.openAPIV3Schema as any;
    const problems: string[] = [];
    const walk = (o: any, u: any, path: string) => {
      if (!u) { problems.push(`${path}: not upstream`); return; }
      if (o.type !== u.type) problems.push(`${path}: type ${o.type} upstream ${u.type}`);
      if (o.format !== u.format) problems.push(`${path}: format ${o.format} upstream ${u.format}`);
      if (o.default !== undefined && JSON.stringify(o.default) !== JSON.stringify(u.default)) problems.push(`${path}: default differs`);
      if (o.enum && JSON.stringify(o.enum) !== JSON.stringify(u.enum)) problems.push(`${path}: enum differs`);
      for (const [k, v] of Object.entries(o.properties ?? {})) walk(v, u.properties?.[k], `${path}.${k}`);
      if (o.items) walk(o.items, u.items, `${path}[]`);
      if (o.additionalProperties && typeof o.additionalProperties === 'object') walk(o.additionalProperties, u.additionalProperties, `${path}{}`);
    };
    walk(ours, up, '');
    expect(problems).toEqual([]);
    expect(MPIJOB_CRD_SPEC.group).toBe(upstreamCrd.spec.group);
    expect(MPIJOB_CRD_SPEC.names).toEqual(upstreamCrd.spec.names);
    expect(MPIJOB_CRD_SPEC.scope).toBe(upstreamCrd.spec.scope);
  });
});

test('RDMA_REFERENCE_DIR set to a missing folder is an error, not a skip', () => {
  const saved = process.env.RDMA_REFERENCE_DIR;
  process.env.RDMA_REFERENCE_DIR = '/nonexistent/reference';
  try {
    expect(() => locateReference()).toThrow('RDMA_REFERENCE_DIR is set to /nonexistent/reference but /nonexistent/reference/kubernetes does not exist');
  } finally {
    if (saved === undefined) delete process.env.RDMA_REFERENCE_DIR; else process.env.RDMA_REFERENCE_DIR = saved;
  }
});
