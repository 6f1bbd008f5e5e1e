import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
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
  return {
    ...selectorLabels(scope, name),
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/managed-by': 'cdk8s-rdma',
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/version': PACKAGE_VERSION,
  };
}
