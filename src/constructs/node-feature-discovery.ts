import { ApiObject } from 'cdk8s';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { NodeFeatureRule as SigsNodeFeatureRule } from '../../imports/nfd.k8s-sigs.io';
import {
  NodeFeatureDiscovery as NodeFeatureDiscoveryInstance,
  NodeFeatureRule as OpenShiftNodeFeatureRule,
} from '../../imports/nfd.openshift.io';
import { RdmaOptionError } from '../errors';
import { Toleration } from '../kube';
import { defaultNamespace, standardLabels } from '../labels';
import { checkDnsLabel, checkDnsSubdomain, checkImage, checkLabels, checkNonEmpty, checkOneOf } from '../validate';
import { NFD_OPERATOR } from '../versions';
import { OPENSHIFT_NO_LABEL_SYNC, POD_SECURITY_REASON, podSecurityLabels } from './namespace';

/** An OpenShift release, `4.<minor>` or later major lines. */
export interface OpenShiftVersion {
  readonly major: number;
  readonly minor: number;
}

/**
 * Parses `4.18`-style OpenShift versions (a patch part such as `4.18.3` is accepted and ignored). The floor,
 * 4.12, is our choice, not an upstream limit: the output is only validated against the 4.18 and current CRDs.
 */
export function parseOpenShiftVersion(where: string, option: string, value: string): OpenShiftVersion {
  const m = typeof value === 'string' ? /^(\d+)\.(\d+)(?:\.\d+)?$/.exec(value) : null;
  const major = m ? Number(m[1]) : NaN;
  if (!m || major < 4 || (major === 4 && Number(m[2]) < 12)) {
    throw new RdmaOptionError(
      where,
      option,
      value,
      'is not a supported OpenShift version',
      'a release from "4.12" on, e.g. "4.18" or "4.19"',
    );
  }
  return { major, minor: Number(m[2]) };
}

/**
 * API group of NodeFeatureRule served by the OpenShift NFD operator: `nfd.openshift.io/v1alpha1` up to
 * 4.18, the upstream `nfd.k8s-sigs.io/v1alpha1` from 4.19 on.
 */
export function nodeFeatureRuleApiVersion(v: OpenShiftVersion): string {
  return v.major === 4 && v.minor <= 18 ? 'nfd.openshift.io/v1alpha1' : 'nfd.k8s-sigs.io/v1alpha1';
}

export type InstallPlanApproval = 'Automatic' | 'Manual';

export interface NodeFeatureDiscoveryProps {
  /**
   * Install the operator through OLM (Namespace, OperatorGroup, Subscription). Turn off where NFD is
   * already installed; the NodeFeatureDiscovery instance is still emitted unless `instance` is false.
   * @default true
   */
  readonly installOperator?: boolean;
  /**
   * Namespace of the operator and its operands.
   * @default 'openshift-nfd'
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   * @maxLength 63
   */
  readonly namespace?: string;
  /**
   * OLM channel of the `nfd` package.
   * @default 'stable'
   */
  readonly channel?: string;
  /**
   * CatalogSource that serves the package.
   * @default 'redhat-operators'
   */
  readonly source?: string;
  /**
   * Namespace of that CatalogSource.
   * @default 'openshift-marketplace'
   */
  readonly sourceNamespace?: string;
  /**
   * Install plan approval: `Manual` makes operator upgrades wait for an admin.
   * @default 'Automatic'
   */
  readonly installPlanApproval?: InstallPlanApproval;
  /**
   * Emit the `NodeFeatureDiscovery` instance that runs nfd-master and nfd-worker.
   * @default true
   */
  readonly instance?: boolean;
  /**
   * Operand image of the instance. Unset, the operator runs the operand it ships with, which matches the
   * cluster's release.
   * @default - the operator's own operand image
   * @pattern ^\S+@sha256:\S+$|^(\S+/)?[^\s/:@]+:(?:[^\s:/@]{1,5}|[^\s:/@]{7,}|[^\s:/@l][^\s:/@]{5}|l[^\s:/@a][^\s:/@]{4}|la[^\s:/@t][^\s:/@]{3}|lat[^\s:/@e][^\s:/@]{2}|late[^\s:/@s][^\s:/@]|lates[^\s:/@t])$
   */
  readonly operandImage?: string;
}

/**
 * The tolerations the OpenShift NFD operator gives its nfd-worker DaemonSet: every NoSchedule taint
 * (openshift/cluster-nfd-operator `internal/daemonset/testdata/test_worker_daemonset.yaml`, and the default of
 * `getWorkerTolerations` in `internal/daemonset/worker_test.go` when the instance sets no `workerTolerations`;
 * the OpenShift 4.18 CRD has no such field). A NoExecute taint would keep the worker, and so the EFA label, off a node.
 */
export const NFD_WORKER_TOLERATIONS: readonly Toleration[] = [{ operator: 'Exists', effect: 'NoSchedule' }];

/**
 * The Node Feature Discovery operator on OpenShift, installed from OLM as the OpenShift documentation does
 * it (Namespace `openshift-nfd`, OperatorGroup, Subscription `nfd` from `redhat-operators`), plus the
 * `NodeFeatureDiscovery` instance (openshift-docs modules/psap-installing-node-feature-discovery-operator.adoc; openshift/cluster-nfd-operator api/v1/nodefeaturediscovery_types.go).
 */
export class NodeFeatureDiscovery extends Construct {
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: NodeFeatureDiscoveryProps = {}) {
    super(scope, id);
    const where = 'NodeFeatureDiscovery';
    this.namespace = checkDnsLabel(where, 'namespace', props.namespace ?? defaultNamespace(this, NFD_OPERATOR.namespace));
    const labels = (name: string) => standardLabels(this, name, 'node-feature-discovery');

    if (props.installOperator ?? true) {
      const channel = checkNonEmpty(where, 'channel', props.channel ?? NFD_OPERATOR.channel);
      const source = checkDnsSubdomain(where, 'source', props.source ?? NFD_OPERATOR.source);
      const sourceNamespace = checkDnsLabel(where, 'sourceNamespace', props.sourceNamespace ?? NFD_OPERATOR.sourceNamespace);
      const approval = checkOneOf(where, 'installPlanApproval', props.installPlanApproval ?? 'Automatic', ['Automatic', 'Manual']);
      new k8s.KubeNamespace(this, 'Namespace', {
        metadata: {
          name: this.namespace,
          // As documented: the `name` label, and cluster monitoring scrapes the operator's metrics. The Pod
          // Security labels are community practice on OpenShift for host-level workloads (our
          // reading), not part of the documented Namespace.
          labels: {
            ...labels(this.namespace),
            name: this.namespace,
            'openshift.io/cluster-monitoring': 'true',
            ...OPENSHIFT_NO_LABEL_SYNC,
            ...podSecurityLabels('privileged'),
          },
          // The hostPath list is NFD's worker DaemonSet as in NFD's own docs; not checked against the operator's.
          annotations: {
            [POD_SECURITY_REASON]:
              'The nfd-worker DaemonSet reads host /boot, /etc/os-release, /sys, /usr/lib and /lib through hostPath volumes.',
          },
        },
      });
      // OLM kinds as plain objects: two small fixed shapes, validated against the upstream CRDs in tests
      // (the generated Subscription class would be 300 KB of TypeScript for six fields).
      new ApiObject(this, 'OperatorGroup', {
        apiVersion: 'operators.coreos.com/v1',
        kind: 'OperatorGroup',
        metadata: { name: this.namespace, namespace: this.namespace, labels: labels(this.namespace) },
        spec: { targetNamespaces: [this.namespace] },
      });
      new ApiObject(this, 'Subscription', {
        apiVersion: 'operators.coreos.com/v1alpha1',
        kind: 'Subscription',
        metadata: { name: NFD_OPERATOR.packageName, namespace: this.namespace, labels: labels(NFD_OPERATOR.packageName) },
        spec: {
          channel,
          installPlanApproval: approval,
          name: NFD_OPERATOR.packageName,
          source,
          sourceNamespace,
        },
      });
    }

    if (props.instance ?? true) {
      const image = props.operandImage !== undefined ? checkImage(where, 'operandImage', props.operandImage) : undefined;
      new NodeFeatureDiscoveryInstance(this, 'Instance', {
        metadata: { name: 'nfd-instance', namespace: this.namespace, labels: labels('nfd-instance') },
        spec: { operand: image ? { image } : undefined },
      });
    }
  }
}

/** Node label the EFA rule sets by default; NFD may set labels under `feature.node.kubernetes.io/` and its subdomains (kubernetes-sigs/node-feature-discovery docs, feature labels). */
export const EFA_NODE_LABEL = 'feature.node.kubernetes.io/aws-efa.present';

export interface EfaNodeFeatureRuleProps {
  /**
   * OpenShift release of the cluster; it decides the rule's API group.
   * @default '4.18'
   */
  readonly openshiftVersion?: string;
  /**
   * Rule name.
   * @default 'aws-efa'
   */
  readonly name?: string;
  /**
   * Namespace of the rule (the NFD operator's).
   * @default 'openshift-nfd'
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   * @maxLength 63
   */
  readonly namespace?: string;
  /**
   * Label set on nodes with an EFA device (value `"true"`). Its prefix must be `feature.node.kubernetes.io/`
   * or a subdomain of it.
   * @default 'feature.node.kubernetes.io/aws-efa.present'
   */
  readonly label?: string;
  /**
   * PCI device ids (vendor 1d0f) that count as EFA.
   * @default ['efa0', 'efa1', 'efa2', 'efa3', 'efa4'] (every id the EFA driver binds; see NFD_OPERATOR.efaDeviceIds)
   */
  readonly deviceIds?: string[];
}

/**
 * A NodeFeatureRule that labels nodes holding an EFA device. Amazon's ENA adapters share PCI vendor `1d0f`
 * (and class 0200), so NFD's vendor label `pci-1d0f.present` is on every Nitro instance; the rule matches the
 * EFA device ids as well (kubernetes-sigs/node-feature-discovery docs; amzn/amzn-drivers kernel/linux/efa/src/efa_main.c device ids).
 */
export class EfaNodeFeatureRule extends Construct {
  public readonly name: string;
  public readonly apiVersion: string;
  /** The node label (key) set on EFA nodes, with value "true". */
  public readonly label: string;

  constructor(scope: Construct, id: string, props: EfaNodeFeatureRuleProps = {}) {
    super(scope, id);
    const where = 'EfaNodeFeatureRule';
    const version = parseOpenShiftVersion(where, 'openshiftVersion', props.openshiftVersion ?? '4.18');
    this.apiVersion = nodeFeatureRuleApiVersion(version);
    this.name = checkDnsLabel(where, 'name', props.name ?? 'aws-efa');
    const namespace = checkDnsLabel(where, 'namespace', props.namespace ?? defaultNamespace(this, NFD_OPERATOR.namespace));
    this.label = props.label ?? EFA_NODE_LABEL;
    checkLabels(where, 'label', { [this.label]: 'true' });
    const prefix = this.label.includes('/') ? this.label.split('/')[0] : '';
    if (!/^([a-z0-9-]+\.)*feature\.node\.kubernetes\.io$/.test(prefix)) {
      throw new RdmaOptionError(
        where,
        'label',
        this.label,
        'is outside the label namespaces NFD may set',
        'a key prefixed "feature.node.kubernetes.io/" (or a subdomain of it)',
      );
    }
    const deviceIds = props.deviceIds ?? [...NFD_OPERATOR.efaDeviceIds];
    if (deviceIds.length === 0) {
      throw new RdmaOptionError(where, 'deviceIds', deviceIds, 'is empty', 'PCI device ids such as "efa0"');
    }
    deviceIds.forEach((d, i) => {
      if (typeof d !== 'string' || !/^[0-9a-f]{4}$/.test(d)) {
        throw new RdmaOptionError(
          where,
          `deviceIds[${i}]`,
          d,
          'is not a PCI device id',
          'four lower-case hex digits without 0x, e.g. "efa0"',
        );
      }
    });
    const spec = {
      rules: [
        {
          name: 'aws-efa',
          labels: { [this.label]: 'true' },
          matchFeatures: [
            {
              feature: 'pci.device',
              matchExpressions: {
                vendor: { op: 'In', value: [NFD_OPERATOR.amazonPciVendor] },
                device: { op: 'In', value: [...deviceIds] },
              },
            },
          ],
        },
      ],
    };
    const metadata = { name: this.name, namespace, labels: standardLabels(this, this.name, 'node-feature-discovery') };
    // Both groups define the same rule schema; the class only fixes apiVersion. Each generated module has
    // its own `op` enum type for the same strings, hence the cast (conformance tests check the result).
    if (this.apiVersion === 'nfd.openshift.io/v1alpha1') {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
      new OpenShiftNodeFeatureRule(this, 'Resource', { metadata, spec: spec as any });
    } else {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
      new SigsNodeFeatureRule(this, 'Resource', { metadata, spec: spec as any });
    }
  }
}
