/**
 * Security check over every bundle: each profile's defaults and every option variant conformance uses.
 * - images are pinned: a tag or a digest, never `latest`;
 * - a privileged container needs an entry in PRIVILEGED below saying why;
 * - every container and init container requests CPU and memory and has a memory limit (a CPU limit is not
 *   required: it only throttles, and node agents that miss a beat miss device or address events);
 * - no Secret objects and no literal values in secret-looking env vars;
 * - every Namespace enforces a Pod Security level with a reason, and the level is the one its pods need
 *   (Pod Security Standards rules for the checks below), neither stricter nor looser.
 */
import { KubeObject } from '../src/output/bundle';
import { PROFILE_NAMES } from '../src/profiles';
import { synthProfile } from '../src/synth';
import { chartObjects } from '../src/helm/chart';

/** Marks the chart's objects in BUNDLES. */
const CHART = Symbol('chart');
import { POD_SECURITY_REASON } from '../src/constructs/namespace';
import { PROFILE_VARIANTS } from './variants';

/** `Kind/name/container` → why it runs privileged. */
const PRIVILEGED: Record<string, string> = {
  'DaemonSet/kube-multus-ds/install-multus-binary':
    'copies the Multus binary into the host CNI bin directory (upstream Multus thick DaemonSet)',
  'DaemonSet/kube-multus-ds/kube-multus': 'the thick daemon enters pod network namespaces and writes the host CNI config (upstream)',
  'DaemonSet/rdma-shared-dp-ds/k8s-rdma-shared-dp-ds':
    'reads every HCA and sets matched interfaces up, as upstream k8s-rdma-shared-dev-plugin runs it (the jarvice variant is unprivileged)',
  'DaemonSet/kube-ipoib-cni-ds/kube-ipoib-cni': 'only with cni.privileged: OpenShift lets a privileged SCC write /var/lib/cni/bin',
  'DaemonSet/whereabouts/whereabouts': 'only with cni.privileged: OpenShift lets a privileged SCC write /var/lib/cni/bin',
  'DaemonSet/aws-efa-k8s-device-plugin/aws-efa-k8s-device-plugin':
    'only with devicePlugin.privileged: the eks-charts chart runs it privileged for Neuron/GPU topology',
  'DaemonSet/dranet/dranet':
    "only with deviceApi dra (baremetal-ipoib): moves RDMA devices into pod namespaces over NRI, privileged as upstream dranet's Helm chart runs it",
};

type Level = 'privileged' | 'baseline' | 'restricted';
const ORDER: Level[] = ['restricted', 'baseline', 'privileged'];
/** Capabilities the baseline level allows a container to add (Pod Security Standards). */
const BASELINE_CAPS = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);
/** Volume types the restricted level allows. */
const RESTRICTED_VOLUMES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

interface Container {
  name: string;
  image?: string;
  securityContext?: any;
  resources?: any;
  env?: { name: string; value?: string }[];
}

/** Every pod spec in an object (Deployments, DaemonSets, Jobs, Pods, MPIJob replica templates). */
function podSpecs(value: any): any[] {
  if (!value || typeof value !== 'object') return [];
  if (Array.isArray(value.containers)) return [value];
  return Object.values(value).flatMap(podSpecs);
}

function containersOf(spec: any): Container[] {
  return [...(spec.initContainers ?? []), ...spec.containers];
}

/** The least permissive Pod Security level a pod spec passes (the checks that apply to what we emit). */
function levelNeeded(spec: any): Level {
  const cs = containersOf(spec);
  const baselineBreaks =
    spec.hostNetwork ||
    spec.hostPID ||
    spec.hostIPC ||
    (spec.volumes ?? []).some((v: any) => v.hostPath) ||
    cs.some(
      c =>
        c.securityContext?.privileged ||
        (c.securityContext?.capabilities?.add ?? []).some((cap: string) => !BASELINE_CAPS.has(cap)) ||
        (c as any).ports?.some((p: any) => p.hostPort),
    );
  if (baselineBreaks) return 'privileged';
  const podSc = spec.securityContext ?? {};
  const restrictedOk =
    (spec.volumes ?? []).every((v: any) => Object.keys(v).some(k => RESTRICTED_VOLUMES.has(k))) &&
    cs.every(c => {
      const sc = c.securityContext ?? {};
      const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
      const seccomp = (sc.seccompProfile ?? podSc.seccompProfile)?.type;
      const added: string[] = sc.capabilities?.add ?? [];
      return (
        nonRoot === true &&
        sc.allowPrivilegeEscalation === false &&
        (sc.capabilities?.drop ?? []).includes('ALL') &&
        added.every(cap => cap === 'NET_BIND_SERVICE') &&
        (seccomp === 'RuntimeDefault' || seccomp === 'Localhost')
      );
    });
  return restrictedOk ? 'restricted' : 'baseline';
}

function imageProblem(image: string | undefined): string | undefined {
  if (!image) return 'no image';
  if (image.includes('@sha256:')) return undefined;
  const last = image.split('/').pop()!;
  if (!last.includes(':')) return 'no tag';
  if (last.endsWith(':latest')) return 'tag latest';
  return undefined;
}

const BUNDLES: [string, string, unknown][] = PROFILE_NAMES.flatMap(profile => [
  [profile, 'defaults', {}] as [string, string, unknown],
  // The Helm chart's objects: its checks add the helm test waiters of the MPI jobs.
  [profile, 'chart', CHART] as [string, string, unknown],
  ...Object.entries(PROFILE_VARIANTS[profile] ?? {}).map(([name, options]) => [profile, name, options] as [string, string, unknown]),
]);

const privilegedSeen = new Set<string>();

describe.each(BUNDLES)('%s (%s)', (profile, _variant, options) => {
  const objects: KubeObject[] = options === CHART ? chartObjects(profile, {}) : synthProfile(profile, options);
  const workloads = objects.flatMap(o => podSpecs((o as any).spec).map(spec => ({ o: o as any, spec })));

  test('images are pinned by tag or digest, never latest', () => {
    const bad = workloads.flatMap(({ o, spec }) =>
      containersOf(spec)
        .map(c => [c, imageProblem(c.image)] as const)
        .filter(([, p]) => p)
        .map(([c, p]) => `${o.kind}/${o.metadata.name}/${c.name}: ${c.image} (${p})`),
    );
    expect(bad).toEqual([]);
  });

  test('privileged containers are on the allow-list', () => {
    const found = workloads.flatMap(({ o, spec }) =>
      containersOf(spec)
        .filter(c => c.securityContext?.privileged)
        .map(c => `${o.kind}/${o.metadata.name}/${c.name}`),
    );
    found.forEach(key => privilegedSeen.add(key));
    expect(found.filter(key => !PRIVILEGED[key])).toEqual([]);
  });

  test('every container requests CPU and memory and has a memory limit', () => {
    const bad = workloads.flatMap(({ o, spec }) =>
      containersOf(spec)
        .filter(c => !c.resources?.requests?.cpu || !c.resources?.requests?.memory || !c.resources?.limits?.memory)
        .map(c => `${o.kind}/${o.metadata.name}/${c.name}: ${JSON.stringify(c.resources ?? null)}`),
    );
    expect(bad).toEqual([]);
  });

  test('no Secret objects, no literal values in secret-looking env vars', () => {
    expect(objects.filter(o => o.kind === 'Secret').map(o => o.metadata.name)).toEqual([]);
    const literal = workloads.flatMap(({ o, spec }) =>
      containersOf(spec).flatMap(c =>
        (c.env ?? [])
          .filter(e => /(PASSWORD|PASSWD|TOKEN|SECRET|CREDENTIALS?|API_?KEY)/i.test(e.name) && e.value !== undefined)
          .map(e => `${o.kind}/${o.metadata.name}/${c.name}: ${e.name}`),
      ),
    );
    expect(literal).toEqual([]);
  });

  test('namespaces enforce the Pod Security level their pods need, with a reason', () => {
    const namespaces = objects.filter(o => o.kind === 'Namespace');
    expect(namespaces.length).toBeGreaterThan(0);
    for (const ns of namespaces as any[]) {
      const labels = ns.metadata.labels ?? {};
      const enforce = labels['pod-security.kubernetes.io/enforce'];
      expect({ ns: ns.metadata.name, enforce: ORDER.includes(enforce) }).toEqual({ ns: ns.metadata.name, enforce: true });
      expect(labels['pod-security.kubernetes.io/warn']).toBe(enforce);
      expect(labels['pod-security.kubernetes.io/audit']).toBe(enforce);
      expect(ns.metadata.annotations?.[POD_SECURITY_REASON]).toMatch(/\w+ \w+/);
      const inside = workloads.filter(({ o }) => o.metadata.namespace === ns.metadata.name);
      if (inside.length > 0) {
        const needed = ORDER[Math.max(...inside.map(({ spec }) => ORDER.indexOf(levelNeeded(spec))))];
        expect({ ns: ns.metadata.name, level: enforce }).toEqual({ ns: ns.metadata.name, level: needed });
      }
    }
  });
});

describe('allow-list', () => {
  test('every privileged allow-list entry is used by some bundle', () => {
    // Runs after the bundle suites above (jest runs describe blocks in order).
    expect(Object.keys(PRIVILEGED).filter(key => !privilegedSeen.has(key))).toEqual([]);
  });

  test('the level check sees privileged, baseline and restricted pods', () => {
    const container = { name: 'c', image: 'x:1' };
    expect(levelNeeded({ hostNetwork: true, containers: [container] })).toBe('privileged');
    expect(levelNeeded({ containers: [{ ...container, securityContext: { capabilities: { add: ['IPC_LOCK'] } } }] })).toBe('privileged');
    expect(levelNeeded({ volumes: [{ name: 'd', hostPath: { path: '/dev' } }], containers: [container] })).toBe('privileged');
    expect(levelNeeded({ containers: [container] })).toBe('baseline');
    expect(
      levelNeeded({
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [{ ...container, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
      }),
    ).toBe('restricted');
    expect(imageProblem('nginx')).toBe('no tag');
    expect(imageProblem('registry:5000/nginx')).toBe('no tag');
    expect(imageProblem('nginx:latest')).toBe('tag latest');
    expect(imageProblem('nginx@sha256:abc')).toBeUndefined();
  });
});
