/**
 * The project's own definitions of the CNI-side CRDs the baremetal-ipoib bundle installs: the Network
 * Plumbing WG `NetworkAttachmentDefinition` (as Multus v4.3.0 ships it, k8snetworkplumbingwg/multus-cni deployments/multus-daemonset-thick.yml v4.3.0; network-attachment-definition-client pkg/apis/k8s.cni.cncf.io/v1/types.go) and the
 * three whereabouts v0.9.4 CRDs (k8snetworkplumbingwg/whereabouts doc/crds/, v0.9.4). Structural schemas written here, not the upstream
 * files; tests check that every field declared here exists upstream with the same type and required list,
 * and that every object we emit validates against both definitions.
 */

type Schema = Record<string, unknown>;

const str = (description?: string): Schema => (description ? { type: 'string', description } : { type: 'string' });
const obj = (properties: Record<string, Schema>, extra: Schema = {}): Schema => ({ type: 'object', properties, ...extra });

/** apiVersion, kind and metadata, as every CRD schema declares them. */
const meta = { apiVersion: str(), kind: str(), metadata: { type: 'object' } };

export const NAD_CRD_NAME = 'network-attachment-definitions.k8s.cni.cncf.io';

/** CustomResourceDefinitionSpec of `network-attachment-definitions.k8s.cni.cncf.io`. */
export const NAD_CRD_SPEC = {
  group: 'k8s.cni.cncf.io',
  scope: 'Namespaced',
  names: {
    plural: 'network-attachment-definitions',
    singular: 'network-attachment-definition',
    kind: 'NetworkAttachmentDefinition',
    shortNames: ['nad', 'net-attach-def'],
  },
  versions: [
    {
      name: 'v1',
      served: true,
      storage: true,
      schema: {
        openAPIV3Schema: obj({
          ...meta,
          spec: obj({
            // The CNI JSON is opaque to the API server: cdk8s-rdma checks it at synth time instead.
            config: str('JSON-formatted CNI configuration'),
          }),
        }),
      },
    },
  ],
};

const crd = (plural: string, kind: string, spec: Schema, extra: Record<string, Schema> = {}, required?: string[]) => ({
  group: 'whereabouts.cni.cncf.io',
  names: { kind, listKind: `${kind}List`, plural, singular: plural.replace(/s$/, '') },
  scope: 'Namespaced',
  versions: [
    {
      name: 'v1alpha1',
      served: true,
      storage: true,
      schema: { openAPIV3Schema: obj({ ...meta, spec, ...extra }, required ? { required } : {}) },
    },
  ],
});

/** `ippools.whereabouts.cni.cncf.io`: one pool per range, allocations keyed by offset. */
export const IPPOOL_CRD_SPEC = crd(
  'ippools',
  'IPPool',
  obj(
    {
      range: str('The range in CIDR notation.'),
      allocations: {
        type: 'object',
        description: 'Allocated addresses by offset into the range.',
        additionalProperties: obj({ id: str(), podref: str(), ifname: str() }, { required: ['id', 'podref'] }),
      },
    },
    { required: ['allocations', 'range'] },
  ),
);

/** `overlappingrangeipreservations.whereabouts.cni.cncf.io`: cluster-wide reservation of one address. */
export const OVERLAPPING_RANGE_CRD_SPEC = crd(
  'overlappingrangeipreservations',
  'OverlappingRangeIPReservation',
  obj(
    {
      containerid: str(),
      podref: str(),
      ifname: str(),
    },
    { required: ['podref'] },
  ),
  {},
  ['spec'],
);

/** `nodeslicepools.whereabouts.cni.cncf.io`: per-node slices of a range (Fast IPAM, `node_slice_size`). */
export const NODE_SLICE_POOL_CRD_SPEC = crd(
  'nodeslicepools',
  'NodeSlicePool',
  obj(
    {
      range: str('The whole range in CIDR notation.'),
      sliceSize: str('Size of the slice each node gets.'),
    },
    { required: ['range', 'sliceSize'] },
  ),
  {
    status: obj(
      {
        allocations: {
          type: 'array',
          items: obj({ nodeName: str(), sliceRange: str() }, { required: ['nodeName', 'sliceRange'] }),
        },
      },
      { required: ['allocations'] },
    ),
  },
);

/** The whereabouts CRDs by name. */
export const WHEREABOUTS_CRDS: Record<string, typeof IPPOOL_CRD_SPEC> = {
  'ippools.whereabouts.cni.cncf.io': IPPOOL_CRD_SPEC,
  'overlappingrangeipreservations.whereabouts.cni.cncf.io': OVERLAPPING_RANGE_CRD_SPEC,
  'nodeslicepools.whereabouts.cni.cncf.io': NODE_SLICE_POOL_CRD_SPEC,
};
