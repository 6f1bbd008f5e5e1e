import { createHash } from 'crypto';
// The Kubernetes 1.27 L1 classes: cdk8s-plus-27 2.9.5 exports them from its root as `k8s` (lib/index.js:
// `exports.k8s = require("./imports/k8s")`), but the root also loads its L2 constructs and their dependencies
// (33 modules, minimatch among them), which this package never uses. Every file imports the module itself;
// cdk8s-plus-27 is pinned exactly and its package.json has no "exports" map, so the path is its published file.
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';

/**
 * Plain JSON shapes for the Kubernetes fields construct props accept. They match what users write in
 * YAML values files (no Quantity classes), and convert to the typed L1 structures here.
 */

/** A pod toleration, as in a PodSpec. */
export interface Toleration {
  readonly key?: string;
  readonly operator?: 'Exists' | 'Equal';
  readonly value?: string;
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  readonly tolerationSeconds?: number;
}

/** Container resources with quantities as strings, e.g. `{ requests: { cpu: '10m', memory: '20Mi' } }`. */
export interface ResourceRequirements {
  readonly requests?: Record<string, string>;
  readonly limits?: Record<string, string>;
}

export function toQuantities(values?: Record<string, string>): Record<string, k8s.Quantity> | undefined {
  if (!values) return undefined;
  const out: Record<string, k8s.Quantity> = {};
  for (const key of Object.keys(values).sort()) out[key] = k8s.Quantity.fromString(values[key]);
  return out;
}

export function toResources(r: ResourceRequirements): k8s.ResourceRequirements {
  return { requests: toQuantities(r.requests), limits: toQuantities(r.limits) };
}

/** Requests equal to limits (Guaranteed QoS; required for extended resources and huge pages). */
export function guaranteed(values: Record<string, string>): k8s.ResourceRequirements {
  return { requests: toQuantities(values), limits: toQuantities(values) };
}

export function toTolerations(t: readonly Toleration[]): k8s.Toleration[] {
  return t.map(x => ({ ...x }));
}

/** `[{ name }]` from secret names. */
export function toPullSecrets(names?: readonly string[]): k8s.LocalObjectReference[] | undefined {
  return names && names.length > 0 ? names.map(name => ({ name })) : undefined;
}

/** Required anti-affinity: no two pods matching `labels` on the same node. */
export function spreadAcrossNodes(labels: Record<string, string>): k8s.Affinity {
  return {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [
        {
          labelSelector: { matchLabels: labels },
          topologyKey: 'kubernetes.io/hostname',
        },
      ],
    },
  };
}

/** Pod template annotation carrying a hash of a workload's configuration, so a config change rolls its pods. */
export const CONFIG_HASH_ANNOTATION = 'rdma.cdk8s.io/config-hash';

/** sha256 (hex) of configuration text, for CONFIG_HASH_ANNOTATION. */
export function configHash(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}
