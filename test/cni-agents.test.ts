import { CONFIG_HASH_ANNOTATION, IpoibCni, Multus, Whereabouts } from '../src/internal';
import { only, synth } from './helpers';

const volumePaths = (ds: any) =>
  Object.fromEntries(ds.spec.template.spec.volumes.map((v: any) => [v.name, v.hostPath?.path ?? v.configMap?.name]));
const mounts = (c: any) => Object.fromEntries(c.volumeMounts.map((m: any) => [m.name, m.mountPath]));

describe('Multus (thick plugin)', () => {
  const objs = synth(s => new Multus(s, 'Multus'));
  const ds = only(objs, 'DaemonSet', 'kube-multus-ds');
  const spec = ds.spec.template.spec;
  const daemon = spec.containers[0];

  test('defaults: CRD, ServiceAccount, RBAC, daemon ConfigMap and DaemonSet in kube-system', () => {
    expect(objs.map(o => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ClusterRole/multus',
      'ClusterRoleBinding/multus',
      'ConfigMap/multus-daemon-config',
      'CustomResourceDefinition/network-attachment-definitions.k8s.cni.cncf.io',
      'DaemonSet/kube-multus-ds',
      'ServiceAccount/multus',
    ]);
    expect(ds.metadata.namespace).toBe('kube-system');
    expect(only(objs, 'ClusterRoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'multus', namespace: 'kube-system' }]);
  });
  test('a released -thick tag, never snapshot or latest', () => {
    expect(daemon.image).toBe('ghcr.io/k8snetworkplumbingwg/multus-cni:v4.3.0-thick');
    expect(spec.initContainers[0].image).toBe(daemon.image);
  });
  test('Guaranteed QoS with 300Mi: requests equal limits in the daemon and the init container', () => {
    expect(daemon.resources.requests).toEqual(daemon.resources.limits);
    expect(daemon.resources.limits).toEqual({ cpu: '100m', memory: '300Mi' });
    expect(spec.initContainers[0].resources.requests).toEqual(spec.initContainers[0].resources.limits);
    expect(spec.priorityClassName).toBe('system-node-critical');
  });
  test('daemon config as upstream, parsed, and its hash on the pod template', () => {
    const cm = only(objs, 'ConfigMap');
    const text = cm.data['daemon-config.json'];
    expect(JSON.parse(text)).toStrictEqual({
      chrootDir: '/hostroot',
      cniVersion: '0.3.1',
      logLevel: 'verbose',
      logToStderr: true,
      cniConfigDir: '/host/etc/cni/net.d',
      multusAutoconfigDir: '/host/etc/cni/net.d',
      multusConfigFile: 'auto',
      socketDir: '/host/run/multus/',
    });
    expect(ds.spec.template.metadata.annotations[CONFIG_HASH_ANNOTATION]).toMatch(/^[0-9a-f]{64}$/);
    const other = only(
      synth(s => new Multus(s, 'M', { logLevel: 'error' })),
      'DaemonSet',
    );
    expect(other.spec.template.metadata.annotations[CONFIG_HASH_ANNOTATION]).not.toBe(
      ds.spec.template.metadata.annotations[CONFIG_HASH_ANNOTATION],
    );
  });
  test('host paths: the plugin directory at the same path inside, the conf dir under /host', () => {
    expect(volumePaths(ds)).toMatchObject({
      cni: '/etc/cni/net.d',
      cnibin: '/opt/cni/bin',
      hostroot: '/',
      'host-run-netns': '/run/netns/',
    });
    expect(mounts(daemon)).toMatchObject({
      cnibin: '/opt/cni/bin',
      cni: '/host/etc/cni/net.d',
      'multus-daemon-config': '/etc/cni/net.d/multus.d',
    });
    expect(spec.hostNetwork).toBe(true);
    expect(spec.hostPID).toBe(true);
  });
  test('custom CNI paths, resources and no CRD', () => {
    const o = synth(
      s =>
        new Multus(s, 'M', {
          cniBinDir: '/var/lib/cni/bin/',
          cniConfDir: '/etc/kubernetes/cni/net.d',
          memory: '1Gi',
          cpu: '250m',
          installCrd: false,
          namespace: 'multus',
        }),
    );
    const d = only(o, 'DaemonSet');
    expect(o.some(x => x.kind === 'CustomResourceDefinition')).toBe(false);
    expect(volumePaths(d)).toMatchObject({ cni: '/etc/kubernetes/cni/net.d', cnibin: '/var/lib/cni/bin' });
    expect(mounts(d.spec.template.spec.containers[0]).cnibin).toBe('/var/lib/cni/bin');
    expect(JSON.parse(only(o, 'ConfigMap').data['daemon-config.json']).binDir).toBe('/var/lib/cni/bin');
    expect(d.spec.template.spec.containers[0].resources.limits).toEqual({ cpu: '250m', memory: '1Gi' });
    expect(d.metadata.namespace).toBe('multus');
  });
  test('error messages', () => {
    const err = (props: object) => () => synth(s => new Multus(s, 'M', props));
    expect(err({ memory: '50Mi' })).toThrow(
      'Multus: memory "50Mi" is too little (Multus is OOM-killed at upstream\'s 50Mi); allowed: at least "100Mi"; the default is "300Mi"',
    );
    expect(err({ image: 'ghcr.io/k8snetworkplumbingwg/multus-cni:latest' })).toThrow(
      'Multus: image "ghcr.io/k8snetworkplumbingwg/multus-cni:latest" is not a pinned image',
    );
    expect(err({ cniBinDir: 'opt/cni/bin' })).toThrow(
      'Multus: cniBinDir "opt/cni/bin" is not an absolute path; allowed: an absolute path without spaces or ".." segments, e.g. "/opt/cni/bin"',
    );
    expect(err({ cniConfDir: '/etc/../cni' })).toThrow('Multus: cniConfDir "/etc/../cni" is not an absolute path');
    expect(err({ logLevel: 'trace' })).toThrow(
      'Multus: logLevel "trace" is not a known choice; allowed: "panic", "error", "verbose", "debug"',
    );
    expect(err({ cpu: '0' })).toThrow('Multus: cpu "0" is not a CPU quantity');
  });
});

describe('IpoibCni', () => {
  const ds = only(
    synth(s => new IpoibCni(s, 'Ipoib')),
    'DaemonSet',
  );
  const c = ds.spec.template.spec.containers[0];
  test("defaults: kube-ipoib-cni-ds in kube-system, pinned image, host CNI bin dir at the entrypoint's target", () => {
    expect(ds.metadata).toMatchObject({ name: 'kube-ipoib-cni-ds', namespace: 'kube-system' });
    expect(c.image).toBe('ghcr.io/mellanox/ipoib-cni:v1.2.2');
    expect(volumePaths(ds)).toEqual({ cnibin: '/opt/cni/bin' });
    expect(mounts(c)).toEqual({ cnibin: '/host/opt/cni/bin' });
    expect(c.resources.requests).toEqual(c.resources.limits);
  });
  test('least privilege by default: root, no capabilities, no host network; privileged on request', () => {
    expect(c.securityContext).toEqual({
      runAsUser: 0,
      runAsNonRoot: false,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(ds.spec.template.spec.hostNetwork).toBeUndefined();
    const p = only(
      synth(s => new IpoibCni(s, 'I', { privileged: true, cniBinDir: '/var/lib/cni/bin', nodeSelector: { ib: 'yes' } })),
      'DaemonSet',
    );
    expect(p.spec.template.spec.containers[0].securityContext).toEqual({ privileged: true });
    expect(volumePaths(p)).toEqual({ cnibin: '/var/lib/cni/bin' });
    expect(p.spec.template.spec.nodeSelector).toEqual({ ib: 'yes' });
  });
  test('error messages', () => {
    expect(() => synth(s => new IpoibCni(s, 'I', { image: 'ghcr.io/mellanox/ipoib-cni' }))).toThrow(
      'IpoibCni: image "ghcr.io/mellanox/ipoib-cni" is not a pinned image',
    );
    expect(() => synth(s => new IpoibCni(s, 'I', { cniBinDir: 'bin' }))).toThrow('IpoibCni: cniBinDir "bin" is not an absolute path');
  });
});

describe('Whereabouts', () => {
  const objs = synth(s => new Whereabouts(s, 'W'));
  const ds = only(objs, 'DaemonSet', 'whereabouts');
  const reconciler = only(objs, 'Deployment', 'whereabouts-reconciler');
  test('defaults: three CRDs, RBAC, config, DaemonSet and the reconciler Deployment of v0.9.4', () => {
    expect(objs.map(o => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ClusterRole/whereabouts-cni',
      'ClusterRoleBinding/whereabouts',
      'ConfigMap/whereabouts-config',
      'CustomResourceDefinition/ippools.whereabouts.cni.cncf.io',
      'CustomResourceDefinition/nodeslicepools.whereabouts.cni.cncf.io',
      'CustomResourceDefinition/overlappingrangeipreservations.whereabouts.cni.cncf.io',
      'DaemonSet/whereabouts',
      'Deployment/whereabouts-reconciler',
      'ServiceAccount/whereabouts',
    ]);
    expect(ds.spec.template.spec.containers[0].image).toBe('ghcr.io/k8snetworkplumbingwg/whereabouts:v0.9.4');
    expect(only(objs, 'ConfigMap').data).toEqual({ 'cron-expression': '30 4 * * *' });
  });
  test('the DaemonSet installs the plugin and runs the control loop; the reconciler is a single Recreate replica', () => {
    const c = ds.spec.template.spec.containers[0];
    expect(c.args[1]).toBe('SLEEP=false source /install-cni.sh; /token-watcher.sh & /ip-control-loop -log-level debug');
    expect(c.env.map((e: any) => e.name)).toEqual(['NODENAME', 'WHEREABOUTS_NAMESPACE', 'CNI_CONF_DIR']);
    expect(c.env[2].value).toBe('/host/etc/cni/net.d');
    expect(c.volumeMounts).toEqual([
      { name: 'cnibin', mountPath: '/host/opt/cni/bin' },
      { name: 'cni-net-dir', mountPath: '/host/etc/cni/net.d' },
    ]);
    expect(volumePaths(ds)).toEqual({ cnibin: '/opt/cni/bin', 'cni-net-dir': '/etc/cni/net.d' });
    expect(c.resources.requests).toEqual(c.resources.limits);
    expect(reconciler.spec.replicas).toBe(1);
    expect(reconciler.spec.strategy).toEqual({ type: 'Recreate' });
    const rc = reconciler.spec.template.spec.containers[0];
    expect([rc.command, rc.args]).toEqual([['/ip-reconciler'], ['-log-level', 'debug']]);
    expect(reconciler.spec.template.spec.volumes[0].configMap).toEqual({
      name: 'whereabouts-config',
      defaultMode: 0o744,
      items: [{ key: 'cron-expression', path: 'config' }],
    });
  });
  test('RBAC covers the three CRDs, leases, pods, nodes, NADs and events', () => {
    const rules = only(objs, 'ClusterRole').rules;
    expect(rules[0].resources).toEqual(['ippools', 'overlappingrangeipreservations', 'nodeslicepools']);
    expect(rules.map((r: any) => r.resources.join(','))).toEqual([
      'ippools,overlappingrangeipreservations,nodeslicepools',
      'leases',
      'pods',
      'nodes',
      'network-attachment-definitions',
      'events',
    ]);
  });
  test('custom schedule, log level, paths; a new schedule rolls the reconciler', () => {
    const o = synth(
      s =>
        new Whereabouts(s, 'W', {
          reconcilerSchedule: '*/5 * * * *',
          logLevel: 'error',
          cniBinDir: '/var/lib/cni/bin',
          cniConfDir: '/etc/kubernetes/cni/net.d',
          installCrds: false,
        }),
    );
    expect(o.some(x => x.kind === 'CustomResourceDefinition')).toBe(false);
    expect(only(o, 'ConfigMap').data['cron-expression']).toBe('*/5 * * * *');
    expect(volumePaths(only(o, 'DaemonSet'))).toEqual({ cnibin: '/var/lib/cni/bin', 'cni-net-dir': '/etc/kubernetes/cni/net.d' });
    // The path whereabouts.conf records for the kubeconfig is CNI_CONF_DIR minus "/host": the host's own directory.
    const c = only(o, 'DaemonSet').spec.template.spec.containers[0];
    expect(c.env.find((e: any) => e.name === 'CNI_CONF_DIR').value).toBe('/host/etc/kubernetes/cni/net.d');
    expect(c.volumeMounts.find((m: any) => m.name === 'cni-net-dir').mountPath).toBe('/host/etc/kubernetes/cni/net.d');
    const hash = (d: any) => d.spec.template.metadata.annotations[CONFIG_HASH_ANNOTATION];
    expect(hash(only(o, 'Deployment'))).not.toBe(hash(reconciler));
    expect(only(o, 'Deployment').spec.template.spec.containers[0].args).toEqual(['-log-level', 'error']);
  });
  test('error messages', () => {
    const err = (props: object) => () => synth(s => new Whereabouts(s, 'W', props));
    expect(err({ reconcilerSchedule: 'hourly' })).toThrow(
      'Whereabouts: reconcilerSchedule "hourly" is not a cron expression; allowed: five numeric cron fields (minute 0-59, hour 0-23, day of month 1-31, month 1-12, day of week 0-6), e.g. "30 4 * * *"',
    );
    // Each field within its range, ranges ordered, steps of at least 1.
    for (const bad of [
      '99 99 99 99 99',
      '60 * * * *',
      '* 24 * * *',
      '* * 0 * *',
      '* * 32 * *',
      '* * * 13 *',
      '* * * * 7',
      '5-1 * * * *',
      '*/0 * * * *',
      '1,,2 * * * *',
      '* * * JAN *',
    ]) {
      expect(() => err({ reconcilerSchedule: bad })()).toThrow(`reconcilerSchedule "${bad}" is not a cron expression`);
    }
    for (const ok of ['0 0 1 1 0', '59 23 31 12 6', '*/15 0-6/2 1,15 * 1-5', '0,30 4 * * *']) {
      expect(() => err({ reconcilerSchedule: ok })()).not.toThrow();
    }
    expect(err({ reconcilerSchedule: '* * * *' })).toThrow('reconcilerSchedule "* * * *" is not a cron expression');
    expect(err({ logLevel: 'info' })).toThrow('Whereabouts: logLevel "info" is not a known choice; allowed: "debug", "error", "panic"');
    expect(err({ namespace: 'Kube' })).toThrow('Whereabouts: namespace "Kube" is not a valid name');
  });
});
