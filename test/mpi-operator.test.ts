import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { MPIJOB_CRD_SPEC, MpiOperator, UPSTREAM_MPI_OPERATOR_LABELS } from '../src/internal';
import { only, synth } from './helpers';
import { locateReference } from './reference';

describe('MpiOperator', () => {
  const objs = synth(s => new MpiOperator(s, 'op'));

  test('emits the objects of the upstream install, in their namespace', () => {
    expect(objs.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/mpi-operator',
      'CustomResourceDefinition/mpijobs.kubeflow.org',
      'ServiceAccount/mpi-operator',
      'ClusterRole/kubeflow-mpijobs-admin',
      'ClusterRole/kubeflow-mpijobs-edit',
      'ClusterRole/kubeflow-mpijobs-view',
      'ClusterRole/mpi-operator',
      'Role/mpi-operator-leader-election',
      'RoleBinding/mpi-operator-leader-election',
      'ClusterRoleBinding/mpi-operator',
      'Deployment/mpi-operator',
    ]);
    expect(only(objs, 'Namespace').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });
  test('the Deployment runs the pinned image with the upstream args and our resource sizing', () => {
    const d = only(objs, 'Deployment');
    expect(d.metadata.namespace).toBe('mpi-operator');
    expect(d.spec.replicas).toBe(1);
    const spec = d.spec.template.spec;
    expect(spec.serviceAccountName).toBe('mpi-operator');
    expect(spec.containers[0]).toEqual({
      name: 'mpi-operator',
      image: 'mpioperator/mpi-operator:0.8.0',
      args: ['-alsologtostderr', '--lock-namespace=mpi-operator'],
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    });
    // Pod Security restricted: non-root (the distroless image would run as root), RuntimeDefault seccomp.
    expect(spec.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(spec.automountServiceAccountToken).toBeUndefined();
    const platformUid = only(
      synth(s => new MpiOperator(s, 'op', { runAsUser: null })),
      'Deployment',
    ).spec.template.spec.securityContext;
    expect(platformUid).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(() => synth(s => new MpiOperator(s, 'op', { runAsUser: 0 }))).toThrow(
      'MpiOperator: runAsUser 0 is not allowed; allowed: a whole number of at least 1',
    );
    expect(d.spec.template.metadata.annotations).toEqual({ 'sidecar.istio.io/inject': 'false' });
    expect(d.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/instance': 'test', 'app.kubernetes.io/name': 'mpi-operator' });
  });
  test('least privilege by default: exactly what the v2 controller calls, the Lease in its own namespace only', () => {
    const rules = only(objs, 'ClusterRole', 'mpi-operator').rules;
    expect(rules).toEqual([
      { apiGroups: [''], resources: ['configmaps', 'secrets', 'services'], verbs: ['create', 'list', 'watch', 'update'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['create', 'delete', 'list', 'watch'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'list', 'watch', 'update'] },
      { apiGroups: ['scheduling.k8s.io'], resources: ['priorityclasses'], verbs: ['list', 'watch'] },
      { apiGroups: ['kubeflow.org'], resources: ['mpijobs'], verbs: ['list', 'watch'] },
      { apiGroups: ['kubeflow.org'], resources: ['mpijobs/status', 'mpijobs/finalizers'], verbs: ['update'] },
    ]);
    const granted = rules.flatMap((r: any) => r.resources.flatMap((res: string) => r.verbs.map((v: string) => `${res}:${v}`)));
    for (const never of [
      'pods/exec:create',
      'endpoints:create',
      'customresourcedefinitions:create',
      'leases:update',
      'podgroups:create',
      'queues:create',
    ])
      expect(granted).not.toContain(never);
    expect(granted.some((g: string) => g.endsWith(':*'))).toBe(false);
    const role = only(objs, 'Role', 'mpi-operator-leader-election');
    expect(role.metadata.namespace).toBe('mpi-operator');
    expect(role.rules).toEqual([{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] }]);
    expect(only(objs, 'RoleBinding').roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'mpi-operator-leader-election',
    });
    expect(only(objs, 'RoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'mpi-operator', namespace: 'mpi-operator' }]);
    expect(only(objs, 'ClusterRoleBinding').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'mpi-operator', namespace: 'mpi-operator' },
    ]);
  });
  test('rbac "upstream": the operator ClusterRole holds the v0.8.0 rules, no Role', () => {
    const up = synth(s => new MpiOperator(s, 'op', { rbac: 'upstream' }));
    const rules = only(up, 'ClusterRole', 'mpi-operator').rules;
    expect(rules).toHaveLength(12);
    expect(rules).toContainEqual({
      apiGroups: ['kubeflow.org'],
      resources: ['mpijobs', 'mpijobs/finalizers', 'mpijobs/status'],
      verbs: ['*'],
    });
    expect(rules).toContainEqual({ apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'list', 'update', 'watch'] });
    expect(up.some(o => o.kind === 'Role')).toBe(false);
    expect(() => synth(s => new MpiOperator(s, 'op', { rbac: 'all' as any }))).toThrow(
      'MpiOperator: rbac "all" is not a known choice; allowed: "least-privilege", "upstream"',
    );
  });
  test('aggregated roles: admin aggregates edit, edit and view aggregate into the built-in and kubeflow roles', () => {
    expect(only(objs, 'ClusterRole', 'kubeflow-mpijobs-admin').aggregationRule).toEqual({
      clusterRoleSelectors: [{ matchLabels: { 'rbac.authorization.kubeflow.org/aggregate-to-kubeflow-mpijobs-admin': 'true' } }],
    });
    const edit = only(objs, 'ClusterRole', 'kubeflow-mpijobs-edit');
    expect(edit.metadata.labels).toMatchObject({
      'rbac.authorization.kubeflow.org/aggregate-to-kubeflow-edit': 'true',
      'rbac.authorization.k8s.io/aggregate-to-edit': 'true',
    });
    expect(edit.rules[0].verbs).toEqual(['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
    expect(only(objs, 'ClusterRole', 'kubeflow-mpijobs-view').rules[0].verbs).toEqual(['get', 'list', 'watch']);
  });
  test('the CRD is the project definition: v2beta1 served and stored, status subresource, structural', () => {
    const crd = only(objs, 'CustomResourceDefinition');
    expect(crd.spec).toEqual(JSON.parse(JSON.stringify(MPIJOB_CRD_SPEC)));
    const v = crd.spec.versions[0];
    expect(v).toMatchObject({ name: 'v2beta1', served: true, storage: true, subresources: { status: {} } });
    const tmpl = v.schema.openAPIV3Schema.properties.spec.properties.mpiReplicaSpecs.additionalProperties.properties.template;
    expect(tmpl).toEqual({ type: 'object', description: expect.any(String), 'x-kubernetes-preserve-unknown-fields': true });
    // Structural: every node declares a type (or is int-or-string).
    const untyped: string[] = [];
    const walk = (s: any, p: string) => {
      if (!s.type && !s['x-kubernetes-int-or-string']) untyped.push(p);
      Object.entries(s.properties ?? {}).forEach(([k, c]) => walk(c, `${p}.${k}`));
      if (s.items) walk(s.items, `${p}[]`);
      if (typeof s.additionalProperties === 'object') walk(s.additionalProperties, `${p}{}`);
    };
    walk(v.schema.openAPIV3Schema, '');
    expect(untyped).toEqual([]);
  });
  test('custom namespace, image, resources; CRD and namespace can be left out', () => {
    const custom = synth(
      s =>
        new MpiOperator(s, 'op', {
          namespace: 'kubeflow',
          image: 'mirror.example.com/mpi-operator:0.8.0',
          installCrd: false,
          createNamespace: false,
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
        }),
    );
    expect(custom.map(o => o.kind)).not.toContain('CustomResourceDefinition');
    expect(custom.map(o => o.kind)).not.toContain('Namespace');
    const c = only(custom, 'Deployment').spec.template.spec.containers[0];
    expect(c.args).toEqual(['-alsologtostderr', '--lock-namespace=kubeflow']);
    expect(c.image).toBe('mirror.example.com/mpi-operator:0.8.0');
    expect(c.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } });
    expect(only(custom, 'ClusterRoleBinding').subjects[0].namespace).toBe('kubeflow');
  });
  test('adopt "upstream": the Deployment keeps the selector of deploy/v2beta1/mpi-operator.yaml, so it applies over an upstream install', () => {
    const d = only(
      synth(s => new MpiOperator(s, 'op', { adopt: 'upstream' })),
      'Deployment',
    );
    expect(d.metadata).toMatchObject({ name: 'mpi-operator', namespace: 'mpi-operator' });
    expect(d.spec.selector.matchLabels).toEqual(UPSTREAM_MPI_OPERATOR_LABELS);
    expect(d.spec.template.metadata.labels).toMatchObject(UPSTREAM_MPI_OPERATOR_LABELS);
    expect(() => synth(s => new MpiOperator(s, 'op', { adopt: 'kustomize' as any }))).toThrow(
      'MpiOperator: adopt "kustomize" is not a known choice; allowed: "none", "upstream"',
    );
    // The labels are the research notes' (mpi-openshift.md §1.4, the upstream manifest's commonLabels).
    const { dir } = locateReference();
    const notes = dir ? join(dir, '..', 'research', 'mpi-openshift.md') : undefined;
    if (!notes || !existsSync(notes)) return;
    expect(readFileSync(notes, 'utf8')).toContain(
      'Common labels: `app: mpi-operator`, `app.kubernetes.io/component: mpijob`,\n`app.kubernetes.io/name: mpi-operator`, `kustomize.component: mpi-operator`.',
    );
  });
  test('errors', () => {
    expect(() => synth(s => new MpiOperator(s, 'op', { image: 'mpioperator/mpi-operator' }))).toThrow(
      'MpiOperator: image "mpioperator/mpi-operator" is not a pinned image; allowed: an image reference with a version tag or @sha256 digest (not "latest", not tag-less)',
    );
    expect(() => synth(s => new MpiOperator(s, 'op', { namespace: '' }))).toThrow('MpiOperator: namespace "" is not a valid name');
  });
});

test('imports/crds holds the current CRD definition (run `npm run import` when this fails)', () => {
  const { crdDocuments } = require('../src/crds');
  for (const { file, yaml } of crdDocuments()) {
    expect(readFileSync(join(__dirname, '..', 'imports', 'crds', file), 'utf8')).toBe(yaml);
  }
});
