import { stringify } from 'yaml';
import { MPIJOB_CRD_NAME, MPIJOB_CRD_SPEC } from './mpijob-crd';

export * from './mpijob-crd';

/** The project's own CRDs as standalone YAML documents (the files `npm run import` feeds to `cdk8s import`). */
export function crdDocuments(): { file: string; yaml: string }[] {
  const doc = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: MPIJOB_CRD_NAME },
    spec: MPIJOB_CRD_SPEC,
  };
  return [{
    file: 'kubeflow.org_mpijobs.yaml',
    yaml: '# Generated from src/crds/mpijob-crd.ts by `npm run import`; do not edit.\n' + stringify(doc, { lineWidth: 0 }),
  }];
}
