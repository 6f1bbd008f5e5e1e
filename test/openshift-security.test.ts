import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { locateReference } from './reference';
import {
  EFA_NODE_LABEL,
  EfaNodeFeatureRule,
  MpiJobSecurity,
  NFD_OPERATOR,
  NodeFeatureDiscovery,
  OpenShiftEfaDevicePlugin,
  SccGrant,
  nodeFeatureRuleApiVersion,
  parseOpenShiftVersion,
} from '../src/internal';
import { only, synth } from './helpers';

describe('NodeFeatureDiscovery', () => {
  const objs = synth(c => new NodeFeatureDiscovery(c, 'nfd'));
  test('defaults: the documented OLM install and the instance', () => {
    expect(objs.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/openshift-nfd',
      'OperatorGroup/openshift-nfd',
      'Subscription/nfd',
      'NodeFeatureDiscovery/nfd-instance',
    ]);
    expect(only(objs, 'Namespace').metadata.labels).toMatchObject({ name: 'openshift-nfd', 'openshift.io/cluster-monitoring': 'true' });
    expect(only(objs, 'OperatorGroup')).toMatchObject({
      apiVersion: 'operators.coreos.com/v1',
      metadata: { namespace: 'openshift-nfd' },
      spec: { targetNamespaces: ['openshift-nfd'] },
    });
    expect(only(objs, 'Subscription')).toMatchObject({
      apiVersion: 'operators.coreos.com/v1alpha1',
      metadata: { name: 'nfd', namespace: 'openshift-nfd' },
      spec: {
        channel: 'stable',
        installPlanApproval: 'Automatic',
        name: 'nfd',
        source: 'redhat-operators',
        sourceNamespace: 'openshift-marketplace',
      },
    });
    const instance = only(objs, 'NodeFeatureDiscovery');
    expect(instance.apiVersion).toBe('nfd.openshift.io/v1');
    // No operand image: the operator runs the operand of its own release.
    expect(instance.spec).toEqual({});
  });
  test('custom channel, approval, operand image; operator install off', () => {
    const custom = synth(
      c =>
        new NodeFeatureDiscovery(c, 'nfd', {
          channel: '4.18',
          installPlanApproval: 'Manual',
          operandImage: 'registry.example.com/nfd:v4.18',
        }),
    );
    expect(only(custom, 'Subscription').spec).toMatchObject({ channel: '4.18', installPlanApproval: 'Manual' });
    expect(only(custom, 'NodeFeatureDiscovery').spec.operand.image).toBe('registry.example.com/nfd:v4.18');
    expect(synth(c => new NodeFeatureDiscovery(c, 'nfd', { installOperator: false })).map(o => o.kind)).toEqual(['NodeFeatureDiscovery']);
  });
  test('errors', () => {
    expect(() => synth(c => new NodeFeatureDiscovery(c, 'n', { installPlanApproval: 'Auto' as any }))).toThrow(
      'NodeFeatureDiscovery: installPlanApproval "Auto" is not a known choice; allowed: "Automatic", "Manual"',
    );
    expect(() => synth(c => new NodeFeatureDiscovery(c, 'n', { operandImage: 'nfd:latest' }))).toThrow(
      'NodeFeatureDiscovery: operandImage "nfd:latest" is not a pinned image',
    );
    expect(() => synth(c => new NodeFeatureDiscovery(c, 'n', { source: 'Red Hat' }))).toThrow(
      'NodeFeatureDiscovery: source "Red Hat" is not a valid name',
    );
    expect(() => synth(c => new NodeFeatureDiscovery(c, 'n', { sourceNamespace: '' }))).toThrow(
      'NodeFeatureDiscovery: sourceNamespace "" is not a valid name',
    );
    expect(() => synth(c => new NodeFeatureDiscovery(c, 'n', { channel: ' ' }))).toThrow('NodeFeatureDiscovery: channel " " is empty');
  });
});

describe('EfaNodeFeatureRule', () => {
  test('matches Amazon EFA device ids, not just the vendor ENA shares', () => {
    const rule = only(
      synth(c => new EfaNodeFeatureRule(c, 'r')),
      'NodeFeatureRule',
    );
    expect(rule.apiVersion).toBe('nfd.openshift.io/v1alpha1');
    expect(rule.metadata).toMatchObject({ name: 'aws-efa', namespace: 'openshift-nfd' });
    expect(rule.spec.rules).toEqual([
      {
        name: 'aws-efa',
        labels: { [EFA_NODE_LABEL]: 'true' },
        matchFeatures: [
          {
            feature: 'pci.device',
            matchExpressions: {
              vendor: { op: 'In', value: ['1d0f'] },
              device: { op: 'In', value: ['efa0', 'efa1', 'efa2', 'efa3', 'efa4'] },
            },
          },
        ],
      },
    ]);
  });
  test('the default ids are every id the EFA driver binds (research new-mechanisms.md §G), and efa4', () => {
    expect(NFD_OPERATOR.efaDeviceIds).toEqual(['efa0', 'efa1', 'efa2', 'efa3', 'efa4']);
    const { dir } = locateReference();
    const notes = dir ? join(dir, '..', 'research', 'new-mechanisms.md') : undefined;
    if (!notes || !existsSync(notes)) return;
    const table = /efa_pci_tbl\[\] = \{ PCI_VDEVICE\(AMAZON, 0x(efa\d)\.\.0x(efa\d)\) \}/.exec(readFileSync(notes, 'utf8'));
    expect(table).not.toBeNull();
    const [first, last] = [Number.parseInt(table![1], 16), Number.parseInt(table![2], 16)];
    for (let id = first; id <= last; id++) expect(NFD_OPERATOR.efaDeviceIds).toContain(id.toString(16));
  });
  test('the API group follows the OpenShift version', () => {
    expect(nodeFeatureRuleApiVersion(parseOpenShiftVersion('t', 'v', '4.12'))).toBe('nfd.openshift.io/v1alpha1');
    expect(nodeFeatureRuleApiVersion(parseOpenShiftVersion('t', 'v', '4.18.7'))).toBe('nfd.openshift.io/v1alpha1');
    expect(nodeFeatureRuleApiVersion(parseOpenShiftVersion('t', 'v', '4.19'))).toBe('nfd.k8s-sigs.io/v1alpha1');
    expect(nodeFeatureRuleApiVersion(parseOpenShiftVersion('t', 'v', '5.0'))).toBe('nfd.k8s-sigs.io/v1alpha1');
    const rule = only(
      synth(c => new EfaNodeFeatureRule(c, 'r', { openshiftVersion: '4.19', deviceIds: ['efa0', 'efa1', 'efa2'], name: 'efa-nodes' })),
      'NodeFeatureRule',
    );
    expect(rule.metadata.name).toBe('efa-nodes');
    expect(rule.apiVersion).toBe('nfd.k8s-sigs.io/v1alpha1');
    expect(rule.spec.rules[0].matchFeatures[0].matchExpressions.device.value).toEqual(['efa0', 'efa1', 'efa2']);
  });
  test('errors', () => {
    const err = (props: any) => () => synth(c => new EfaNodeFeatureRule(c, 'r', props));
    expect(err({ openshiftVersion: '4.8' })).toThrow(
      'EfaNodeFeatureRule: openshiftVersion "4.8" is not a supported OpenShift version; allowed: a release from "4.12" on, e.g. "4.18" or "4.19"',
    );
    expect(err({ openshiftVersion: 'latest' })).toThrow(
      'EfaNodeFeatureRule: openshiftVersion "latest" is not a supported OpenShift version',
    );
    expect(err({ deviceIds: ['0xefa0'] })).toThrow(
      'EfaNodeFeatureRule: deviceIds[0] "0xefa0" is not a PCI device id; allowed: four lower-case hex digits without 0x, e.g. "efa0"',
    );
    expect(err({ deviceIds: [] })).toThrow('EfaNodeFeatureRule: deviceIds [] is empty');
    expect(err({ label: 'example.com/efa' })).toThrow(
      'EfaNodeFeatureRule: label "example.com/efa" is outside the label namespaces NFD may set',
    );
  });
});

describe('SccGrant', () => {
  const objs = synth(
    c =>
      new SccGrant(c, 'scc', {
        name: 'my-scc',
        description: 'test',
        serviceAccounts: [
          { namespace: 'a', name: 'sa' },
          { namespace: 'b', name: 'sa' },
        ],
        runAsUser: { type: 'MustRunAs', uid: 1000 },
        allowedCapabilities: ['IPC_LOCK'],
        volumes: ['secret', 'emptyDir'],
        allowHostDirVolumePlugin: false,
        allowHostNetwork: false,
        allowHostPorts: false,
        fixedGroup: 1000,
      }),
  );
  test('an SCC that never allows privileged, host PID/IPC or escalation; nullable priority is null', () => {
    const scc = only(objs, 'SecurityContextConstraints');
    expect(scc).toMatchObject({
      allowPrivilegedContainer: false,
      allowHostPID: false,
      allowHostIPC: false,
      allowPrivilegeEscalation: false,
      requiredDropCapabilities: ['ALL'],
      allowedCapabilities: ['IPC_LOCK'],
      defaultAddCapabilities: [],
      users: [],
      groups: [],
      priority: null,
      volumes: ['emptyDir', 'secret'],
      runAsUser: { type: 'MustRunAs', uid: 1000 },
      fsGroup: { type: 'MustRunAs', ranges: [{ min: 1000, max: 1000 }] },
    });
    expect(scc.metadata.annotations['kubernetes.io/description']).toBe('test');
  });
  test('granted through RBAC use, one RoleBinding per ServiceAccount namespace', () => {
    expect(only(objs, 'ClusterRole').rules).toEqual([
      { apiGroups: ['security.openshift.io'], resources: ['securitycontextconstraints'], resourceNames: ['my-scc'], verbs: ['use'] },
    ]);
    const bindings = objs.filter(o => o.kind === 'RoleBinding');
    expect(bindings.map(b => [b.metadata.namespace, b.subjects])).toEqual([
      ['a', [{ kind: 'ServiceAccount', name: 'sa', namespace: 'a' }]],
      ['b', [{ kind: 'ServiceAccount', name: 'sa', namespace: 'b' }]],
    ]);
    expect(bindings.every(b => b.roleRef.name === 'use-scc-my-scc' && b.roleRef.kind === 'ClusterRole')).toBe(true);
  });
  test('errors', () => {
    const base: any = {
      name: 'x',
      description: 'd',
      runAsUser: { type: 'RunAsAny' },
      allowedCapabilities: [],
      volumes: [],
      allowHostDirVolumePlugin: false,
      allowHostNetwork: false,
      allowHostPorts: false,
    };
    expect(() => synth(c => new SccGrant(c, 's', { ...base, serviceAccounts: [] }))).toThrow('SccGrant: serviceAccounts [] is empty');
    expect(() =>
      synth(
        c =>
          new SccGrant(c, 's', {
            ...base,
            serviceAccounts: [
              { namespace: 'a', name: 'x' },
              { namespace: 'a', name: 'y' },
            ],
          }),
      ),
    ).toThrow('SccGrant: serviceAccounts[1].namespace "a" appears twice; allowed: one ServiceAccount per namespace');
  });
});

describe('OpenShiftEfaDevicePlugin', () => {
  const objs = synth(c => new OpenShiftEfaDevicePlugin(c, 'p'));
  const ds = only(objs, 'DaemonSet');
  const scc = only(objs, 'SecurityContextConstraints');

  test('own namespace (not kube-system), ServiceAccount and SCC', () => {
    expect(objs.map(o => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ClusterRole/use-scc-aws-efa-device-plugin',
      'DaemonSet/aws-efa-k8s-device-plugin',
      'Namespace/aws-efa-device-plugin',
      'RoleBinding/use-scc-aws-efa-device-plugin',
      'SecurityContextConstraints/aws-efa-device-plugin',
      'ServiceAccount/aws-efa-device-plugin',
    ]);
    expect(ds.metadata.namespace).toBe('aws-efa-device-plugin');
    expect(ds.spec.template.spec.serviceAccountName).toBe('aws-efa-device-plugin');
    const ns = only(objs, 'Namespace');
    expect(ns.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'privileged',
      'security.openshift.io/scc.podSecurityLabelSync': 'false',
    });
  });
  test('the SCC grants hostPath and host network as root, nothing more', () => {
    expect(scc).toMatchObject({
      allowHostDirVolumePlugin: true,
      allowHostNetwork: true,
      allowHostPorts: false,
      allowPrivilegedContainer: false,
      allowedCapabilities: [],
      volumes: ['hostPath'],
      runAsUser: { type: 'MustRunAs', uid: 0 },
      seLinuxContext: { type: 'MustRunAs', seLinuxOptions: { type: 'spc_t' } },
    });
    expect(only(objs, 'RoleBinding').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'aws-efa-device-plugin', namespace: 'aws-efa-device-plugin' },
    ]);
    // What the pod uses is within the SCC.
    const pod = ds.spec.template.spec;
    expect(pod.hostNetwork).toBe(true);
    expect(pod.volumes.every((v: any) => v.hostPath)).toBe(true);
    expect(pod.containers[0].securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seLinuxOptions: { type: 'spc_t' },
    });
    expect(pod.containers[0].securityContext.privileged).toBeUndefined();
  });
  test('targets the nodes NFD labels as EFA by default', () => {
    expect(ds.spec.template.spec.nodeSelector).toEqual({ [EFA_NODE_LABEL]: 'true' });
    expect(ds.spec.template.spec.affinity).toBeUndefined();
    const byType = only(
      synth(c => new OpenShiftEfaDevicePlugin(c, 'p', { nodeTargeting: 'instance-types', instanceTypes: ['c5n.18xlarge'] })),
      'DaemonSet',
    );
    expect(byType.spec.template.spec.nodeSelector).toBeUndefined();
    expect(
      byType.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]
        .matchExpressions[0].values,
    ).toEqual(['c5n.18xlarge']);
  });
  test('errors', () => {
    expect(() => synth(c => new OpenShiftEfaDevicePlugin(c, 'p', { seLinuxType: 'spc' }))).toThrow(
      'EfaDevicePlugin: seLinuxType "spc" is not an SELinux type; allowed: a type name such as "spc_t" or "container_device_plugin_t"',
    );
    expect(() => synth(c => new OpenShiftEfaDevicePlugin(c, 'p', { namespace: 'Kube' }))).toThrow(
      'OpenShiftEfaDevicePlugin: namespace "Kube" is not a valid name',
    );
  });
});

describe('MpiJobSecurity', () => {
  test('a fixed-UID SCC with IPC_LOCK for the job ServiceAccount only', () => {
    let annotations: Record<string, string> = {};
    const objs = synth(c => {
      annotations = new MpiJobSecurity(c, 's', { namespace: 'hpc' }).podAnnotations;
    });
    expect(only(objs, 'ServiceAccount').metadata).toMatchObject({ name: 'mpi-job', namespace: 'hpc' });
    expect(only(objs, 'ServiceAccount').automountServiceAccountToken).toBe(false);
    const scc = only(objs, 'SecurityContextConstraints');
    expect(scc).toMatchObject({
      metadata: { name: 'cdk8s-rdma-mpi-job' },
      runAsUser: { type: 'MustRunAs', uid: 1000 },
      allowedCapabilities: ['IPC_LOCK'],
      allowHostDirVolumePlugin: false,
      allowHostNetwork: false,
      allowHostPorts: false,
    });
    expect(scc.volumes).toContain('emptyDir');
    expect(scc.volumes).not.toContain('hostPath');
    expect(only(objs, 'RoleBinding').metadata.namespace).toBe('hpc');
    expect(annotations).toEqual({ 'openshift.io/required-scc': 'cdk8s-rdma-mpi-job' });
  });
  test('host network allows the host ports it implies', () => {
    const scc = only(
      synth(c => new MpiJobSecurity(c, 's', { namespace: 'hpc', allowHostNetwork: true, sccName: 'hpc-mpi' })),
      'SecurityContextConstraints',
    );
    expect(scc).toMatchObject({ metadata: { name: 'hpc-mpi' }, allowHostNetwork: true, allowHostPorts: true });
  });
  test('errors', () => {
    expect(() => synth(c => new MpiJobSecurity(c, 's', { namespace: 'default_ns' }))).toThrow(
      'MpiJobSecurity: namespace "default_ns" is not a valid name',
    );
  });
});
