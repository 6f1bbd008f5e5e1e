import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { PACKAGE_VERSION } from './version';

/** Context key a profile sets so every construct under it labels itself with the profile instance. */
export const INSTANCE_CONTEXT_KEY = 'cdk8s-rdma/instance';

/** `app.kubernetes.io/part-of` on everything cdk8s-rdma emits. */
export const PART_OF = 'cdk8s-rdma';

/**
 * The instance name for labels: the profile's instance (context `cdk8s-rdma/instance`), or else
 * the id of the enclosing chart.
 */
export function instanceOf(scope: Construct): string {
  const ctx = scope.node.tryGetContext(INSTANCE_CONTEXT_KEY);
  if (typeof ctx === 'string' && ctx.length > 0) return ctx;
  return Chart.of(scope).node.id;
}

/**
 * Selector labels: the stable subset of the standard labels. They never contain the version, so a
 * DaemonSet or Deployment selector does not change between releases.
 */
export function selectorLabels(scope: Construct, name: string): Record<string, string> {
  return {
    'app.kubernetes.io/instance': instanceOf(scope),
    'app.kubernetes.io/name': name,
  };
}

/** The full set of `app.kubernetes.io/*` labels every object carries. */
export function standardLabels(scope: Construct, name: string, component: string): Record<string, string> {
  guardDuplicateObjects(scope);
  return {
    ...selectorLabels(scope, name),
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/managed-by': 'cdk8s-rdma',
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/version': PACKAGE_VERSION,
  };
}

/**
 * Labels for a Job's or check pod's template: the standard labels without `app.kubernetes.io/version`. A Job's
 * `spec.template` is immutable, so nothing that changes per release may be in it.
 */
export function templateLabels(labels: Record<string, string>): Record<string, string> {
  const { 'app.kubernetes.io/version': _version, ...rest } = labels;
  return rest;
}

/**
 * The namespace a construct's namespaced objects go to when its props name none: the namespace of the
 * enclosing Chart (`new Chart(app, 'x', { namespace: 'hpc' })`) if it has one, else the construct's own default.
 */
export function defaultNamespace(scope: Construct, fallback: string): string {
  return Chart.of(scope).namespace ?? fallback;
}

const DUPLICATE_GUARD = Symbol.for('cdk8s-rdma.duplicate-guard');

/**
 * Registers, once per app, a validation that fails the synth when two API objects have the same group, kind,
 * namespace and name, naming both construct paths (kubectl would apply one over the other without a word).
 * Every construct of this library calls it through `standardLabels`.
 */
export function guardDuplicateObjects(scope: Construct): void {
  const root = scope.node.root;
  if ((root as unknown as Record<symbol | string, unknown>)[DUPLICATE_GUARD]) return;
  Object.defineProperty(root, DUPLICATE_GUARD, { value: true });
  root.node.addValidation({ validate: () => duplicateObjects(root) });
}

/** Messages for API objects under `root` that share group, kind, namespace and name. */
export function duplicateObjects(root: IConstruct): string[] {
  const seen = new Map<string, ApiObject>();
  const errors: string[] = [];
  for (const c of root.node.findAll()) {
    if (!ApiObject.isApiObject(c)) continue;
    const namespace = c.metadata.namespace ?? '';
    const key = `${c.apiGroup}/${c.kind}/${namespace}/${c.name}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, c);
      continue;
    }
    const where = namespace ? `${namespace}/${c.name}` : c.name;
    errors.push(
      `cdk8s-rdma: ${c.kind} ${where} is emitted twice, by ${first.node.path} and by ${c.node.path}; give one of them another name or namespace, or remove one`,
    );
  }
  return errors;
}
