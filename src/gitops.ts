import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { phaseOf } from './output/bundle';

/** Argo CD sync wave: lower waves are applied (and healthy) before higher ones. */
export const ARGO_SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
/** Argo CD per-resource sync options. */
export const ARGO_SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';
/** Lets Argo CD plan a custom resource whose CRD is created by the same sync. */
export const SKIP_DRY_RUN_ON_MISSING_RESOURCE = 'SkipDryRunOnMissingResource=true';

export interface GitOpsAnnotationOptions {
  /**
   * Custom resource kinds (`<group>/<Kind>`) whose CRDs an operator installed by the same sync creates
   * (e.g. through an OLM Subscription in the bundle); they get SkipDryRunOnMissingResource too.
   * @default []
   */
  readonly installedBySync?: string[];
}

/**
 * Annotates every object under `scope` for Argo CD: its bundle phase as the sync wave (CRDs 0,
 * Namespaces 10, cluster RBAC and SCCs 20, ..., custom resources and jobs 90: the same order as the
 * bundle's file names), and `SkipDryRunOnMissingResource=true` on custom resources whose CRD is among
 * the objects (the dry run of a first sync would otherwise fail with "no matches for kind"). Flux and
 * kubectl ignore both annotations. Call it once, after every object is added.
 */
export function addGitOpsAnnotations(scope: Construct, options: GitOpsAnnotationOptions = {}): void {
  // Objects of nested charts (a profile's checks) are applied on their own, after the platform: no waves there.
  const chart = Chart.of(scope);
  const objects = scope.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c) && Chart.of(c) === chart);
  const shippedGroups = new Set<string>(options.installedBySync ?? []);
  for (const o of objects) {
    if (o.kind === 'CustomResourceDefinition') {
      const spec = o.toJson().spec;
      shippedGroups.add(`${spec.group}/${spec.names.kind}`);
    }
  }
  for (const o of objects) {
    o.metadata.addAnnotation(ARGO_SYNC_WAVE, String(phaseOf(o)));
    const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
    if (shippedGroups.has(`${group}/${o.kind}`)) o.metadata.addAnnotation(ARGO_SYNC_OPTIONS, SKIP_DRY_RUN_ON_MISSING_RESOURCE);
  }
}
