import { yamlLibrary } from '../yaml-library';
import { NAD_CRD_NAME, NAD_CRD_SPEC } from './cni-crds';
import { MPIJOB_CRD_NAME, MPIJOB_CRD_SPEC } from './mpijob-crd';

export * from './mpijob-crd';
export * from './cni-crds';

/** The project's own CRDs as standalone YAML documents (the files `npm run import` feeds to `cdk8s import`). */
export function crdDocuments(): { file: string; yaml: string }[] {
  const doc = (name: string, spec: unknown) =>
    '# Generated from src/crds by `npm run import`; do not edit.\n' +
    yamlLibrary().stringify(
      { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name }, spec },
      { lineWidth: 0 },
    );
  return [
    { file: 'kubeflow.org_mpijobs.yaml', yaml: doc(MPIJOB_CRD_NAME, MPIJOB_CRD_SPEC) },
    { file: 'k8s.cni.cncf.io_network-attachment-definitions.yaml', yaml: doc(NAD_CRD_NAME, NAD_CRD_SPEC) },
  ];
}
