/**
 * Upgrade safety as a tested property: every profile (defaults and the conformance variants) synthesized as
 * this release and as a later one (another package version, every pinned image tag changed) must apply over
 * the earlier output. Kubernetes refuses changes to some fields of a live object; an object that keeps its
 * name must keep those fields. Nothing that changes per release may sit in a selector or a Job template.
 */
import { PROFILE_NAMES, RUN_LABEL } from '../src/internal';
import type { ProfileObjects, SynthOptions } from '../src/synth';
import { baseName } from './helpers';
import { PROFILE_VARIANTS } from './variants';

type Synth = (profile: string, options: unknown, synth?: SynthOptions) => ProfileObjects;

const LATER_VERSION = '9.9.9';

/** Every pinned tag in a versions module changed (image references, tags and version fields). */
function laterVersions(actual: Record<string, unknown>): Record<string, unknown> {
  const bump = (v: unknown, key = ''): unknown => {
    if (typeof v === 'string') {
      if (key === 'image' && /:[^/:]+$/.test(v)) return `${v}-next`;
      if (key === 'tag' || key === 'version') return `${v}-next`;
      return v;
    }
    if (Array.isArray(v)) return v.map(x => bump(x));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, bump(x, k)]));
    return v;
  };
  return Object.fromEntries(Object.entries(actual).map(([k, v]) => [k, typeof v === 'function' ? v : bump(v)]));
}

/** A synth that gives the objects it gave before for the same arguments (the tests only read them). */
function once(synth: Synth): Synth {
  const seen = new Map<string, ProfileObjects>();
  return (profile, options, opts) => {
    const key = JSON.stringify([profile, options, opts]);
    if (!seen.has(key)) seen.set(key, synth(profile, options, opts));
    return seen.get(key)!;
  };
}

/** synthProfileParts of this release, and of a later one (its own module registry with the bumped constants). */
function releases(): { current: Synth; later: Synth } {
  const current: Synth = require('../src/synth').synthProfileParts;
  let later: Synth | undefined;
  jest.isolateModules(() => {
    jest.doMock('../src/version', () => ({ PACKAGE_VERSION: LATER_VERSION }));
    jest.doMock('../src/versions', () => laterVersions(jest.requireActual('../src/versions')));
    later = require('../src/synth').synthProfileParts;
  });
  return { current: once(current), later: once(later!) };
}

const groupOf = (o: any) => (o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '');
const idOf = (o: any, name = o.metadata.name) => `${groupOf(o)}/${o.kind}/${o.metadata.namespace ?? ''}/${name}`;

/** Fields Kubernetes (or the controller that owns the kind) refuses to change on a live object. */
function immutableFields(o: any): Record<string, unknown> {
  const s = o.spec ?? {};
  switch (o.kind) {
    case 'DaemonSet':
    case 'Deployment':
    case 'StatefulSet':
    case 'ReplicaSet':
      return { 'spec.selector': s.selector };
    case 'Job':
      return {
        'spec.selector': s.selector,
        'spec.template': s.template,
        'spec.completionMode': s.completionMode,
        'spec.completions': s.completions,
      };
    // mpi-operator never re-reads the pod templates of a running MPIJob: a change does not apply.
    case 'MPIJob':
      return { 'spec.mpiReplicaSpecs': s.mpiReplicaSpecs };
    case 'Pod':
      return { spec: s };
    case 'Service':
      return { 'spec.clusterIP': s.clusterIP, 'spec.type': s.type };
    case 'CustomResourceDefinition':
      return { 'spec.group': s.group, 'spec.names': s.names, 'spec.scope': s.scope };
    case 'PersistentVolumeClaim':
      return { spec: s };
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      return { roleRef: o.roleRef };
    // A MachineSet whose selector changes orphans its Machines.
    case 'MachineSet':
      return { 'spec.selector': s.selector };
    default:
      return {};
  }
}

/** Immutable fields that differ between two releases of objects that keep their name. */
function immutableChanges(before: any[], after: any[]): string[] {
  const old = new Map(before.map(o => [idOf(o), o]));
  const out: string[] = [];
  for (const o of after) {
    const prev = old.get(idOf(o));
    if (!prev) continue;
    const a = immutableFields(prev);
    const b = immutableFields(o);
    for (const field of Object.keys(b)) {
      if (JSON.stringify(a[field]) !== JSON.stringify(b[field])) out.push(`${idOf(o)} ${field}`);
    }
  }
  return out.sort();
}

/** Pod templates of an object, by path. */
function templates(o: any): Record<string, any> {
  if (o.kind === 'MPIJob')
    return Object.fromEntries(
      Object.entries(o.spec.mpiReplicaSpecs).map(([k, r]: [string, any]) => [`spec.mpiReplicaSpecs.${k}.template`, r.template]),
    );
  if (o.spec?.template) return { 'spec.template': o.spec.template };
  return {};
}

/**
 * Labels whose value changes between releases inside a selector or a pod template, for objects matched by
 * their base name (a check's run id is meant to change; nothing else is). Selectors of every kind, templates
 * of every kind: for a DaemonSet a changing template label only rolls the pods, for a Job it breaks the apply.
 */
function perReleaseLabels(before: any[], after: any[]): string[] {
  const old = new Map(before.map(o => [idOf(o, baseName(o)), o]));
  const out: string[] = [];
  const compare = (where: string, a: Record<string, string> | undefined, b: Record<string, string> | undefined) => {
    for (const key of new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])) {
      if (key !== RUN_LABEL && a?.[key] !== b?.[key]) out.push(`${where} ${key}`);
    }
  };
  for (const o of after) {
    const prev = old.get(idOf(o, baseName(o)));
    if (!prev) continue;
    const id = idOf(o, baseName(o));
    compare(
      `${id} spec.selector`,
      prev.spec?.selector?.matchLabels ?? prev.spec?.selector,
      o.spec?.selector?.matchLabels ?? o.spec?.selector,
    );
    const [ta, tb] = [templates(prev), templates(o)];
    for (const path of Object.keys(tb)) compare(`${id} ${path}.metadata.labels`, ta[path]?.metadata?.labels, tb[path]?.metadata?.labels);
  }
  return out.sort();
}

const CASES: [string, string, unknown][] = PROFILE_NAMES.flatMap(p => [
  [p, 'defaults', {}] as [string, string, unknown],
  ...Object.entries(PROFILE_VARIANTS[p] ?? {}).map(([name, options]) => [p, name, options] as [string, string, unknown]),
]);

describe('an upgrade applies over the previous release', () => {
  const { current, later } = releases();

  test('the later release really differs: another version label and other images', () => {
    const a = current('eks-efa', {});
    const b = later('eks-efa', {});
    expect(b.platform[0].metadata.labels?.['app.kubernetes.io/version']).toBe(LATER_VERSION);
    const images = (objs: any[]) =>
      JSON.stringify(objs)
        .match(/"image":"[^"]+"/g)!
        .sort();
    const [ia, ib] = [images(a.platform), images(b.platform)];
    expect(ia.length).toBe(ib.length);
    ia.forEach((img, i) => expect(ib[i]).not.toBe(img));
    // Check names carry their run: a new release runs them anew.
    expect(b.checks.map(o => o.metadata.name)).not.toEqual(a.checks.map(o => o.metadata.name));
    expect(b.checks.map(baseName)).toEqual(a.checks.map(baseName));
  });

  test.each(CASES)('%s (%s): no immutable field changes on an object that keeps its name', (profile, _name, options) => {
    const [a, b] = [current(profile, options), later(profile, options)];
    expect(immutableChanges([...a.platform, ...a.checks], [...b.platform, ...b.checks])).toEqual([]);
    // The platform keeps every object's name: upgrades are in place.
    expect(b.platform.map(o => idOf(o)).sort()).toEqual(a.platform.map(o => idOf(o)).sort());
  });

  test.each(CASES)('%s (%s): no per-release label in a selector or a pod template', (profile, _name, options) => {
    const [a, b] = [current(profile, options), later(profile, options)];
    expect(perReleaseLabels([...a.platform, ...a.checks], [...b.platform, ...b.checks])).toEqual([]);
  });

  test('the checks fail on the output of the previous release: stable Job names with the version in their templates', () => {
    // The shape before the lifecycle split: check objects kept their names and their templates the version label.
    const withVersion = (objs: any[]) =>
      objs.map(o => {
        const copy = JSON.parse(JSON.stringify(o));
        for (const t of Object.values(templates(copy)))
          t.metadata.labels['app.kubernetes.io/version'] = o.metadata.labels['app.kubernetes.io/version'];
        return copy;
      });
    const a = withVersion(current('eks-efa', {}, { runIds: false }).checks);
    const b = withVersion(later('eks-efa', {}, { runIds: false }).checks);
    expect(immutableChanges(a, b)).toEqual(
      expect.arrayContaining([
        'batch/Job/rdma-benchmarks/efa-fi-info spec.template',
        'batch/Job/rdma-benchmarks/fi-pingpong spec.template',
        'kubeflow.org/MPIJob/rdma-benchmarks/osu-latency-efa spec.mpiReplicaSpecs',
      ]),
    );
    expect(perReleaseLabels(a, b)).toEqual(
      expect.arrayContaining(['batch/Job/rdma-benchmarks/efa-fi-info spec.template.metadata.labels app.kubernetes.io/version']),
    );
    // And with run ids: a version label put back into a template is still caught.
    const c = withVersion(current('eks-efa', {}).checks);
    const d = withVersion(later('eks-efa', {}).checks);
    expect(perReleaseLabels(c, d)).toContain(
      'batch/Job/rdma-benchmarks/efa-fi-info spec.template.metadata.labels app.kubernetes.io/version',
    );
  });

  test('a selector that changes per release is caught', () => {
    const a = current('eks-efa', {}).platform;
    const b = later('eks-efa', {}).platform.map(o =>
      o.kind === 'DaemonSet'
        ? {
            ...o,
            spec: { ...o.spec, selector: { matchLabels: { ...o.spec.selector.matchLabels, 'app.kubernetes.io/version': LATER_VERSION } } },
          }
        : o,
    );
    expect(immutableChanges(a, b)).toEqual(['apps/DaemonSet/kube-system/aws-efa-k8s-device-plugin spec.selector']);
    expect(perReleaseLabels(a, b)).toEqual([
      'apps/DaemonSet/kube-system/aws-efa-k8s-device-plugin spec.selector app.kubernetes.io/version',
    ]);
  });
});
