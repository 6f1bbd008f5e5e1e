import { ApiObject } from 'cdk8s';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { WHEREABOUTS_CRDS } from '../crds';
import { RdmaOptionError } from '../errors';
import { CONFIG_HASH_ANNOTATION, configHash, guaranteed } from '../kube';
import { defaultNamespace, selectorLabels, standardLabels } from '../labels';
import { checkDnsLabel, checkImage, checkOneOf } from '../validate';
import { WHEREABOUTS } from '../versions';
import { CniHostPaths, TOLERATE_ALL, cniInstallerSecurityContext, resolveCniHostPaths } from './cni-node-agent';

const WHERE = 'Whereabouts';
const NAME = 'whereabouts';

/** Log levels of whereabouts (pkg/types IPAMConfig `log_level`; the same flag values for its daemons). */
export type WhereaboutsLogLevel = 'debug' | 'error' | 'panic';
export const WHEREABOUTS_LOG_LEVELS: readonly WhereaboutsLogLevel[] = ['debug', 'error', 'panic'];

export interface WhereaboutsProps extends CniHostPaths {
  /**
   * Namespace of the DaemonSet, the reconciler and their configuration (also where the IP pools live).
   * @default 'kube-system'
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   * @maxLength 63
   */
  readonly namespace?: string;
  /**
   * Image, pinned to a release (upstream's manifests use `latest`).
   * @default 'ghcr.io/k8snetworkplumbingwg/whereabouts:v0.9.4'
   * @pattern ^\S+@sha256:\S+$|^(\S+/)?[^\s/:@]+:(?:[^\s:/@]{1,5}|[^\s:/@]{7,}|[^\s:/@l][^\s:/@]{5}|l[^\s:/@a][^\s:/@]{4}|la[^\s:/@t][^\s:/@]{3}|lat[^\s:/@e][^\s:/@]{2}|late[^\s:/@s][^\s:/@]|lates[^\s:/@t])$
   */
  readonly image?: string;
  /**
   * Install the ippools, overlappingrangeipreservations and nodeslicepools CRDs (the project's own definitions).
   * @default true
   */
  readonly installCrds?: boolean;
  /**
   * When the reconciler frees addresses of pods that no longer exist (five-field cron expression).
   * @default '30 4 * * *' (upstream's)
   */
  readonly reconcilerSchedule?: string;
  /**
   * Log level of the DaemonSet's control loop and of the reconciler.
   * @default 'debug' (upstream's)
   */
  readonly logLevel?: WhereaboutsLogLevel;
  /**
   * Run the DaemonSet privileged, as upstream does. Off: root with every capability dropped, which is all
   * writing the plugin, its kubeconfig and configuration into the host's CNI directories needs; turn on for
   * SELinux-enforcing hosts that deny it.
   * @default false
   */
  readonly privileged?: boolean;
}

/**
 * Whereabouts, the cluster-wide IPAM plugin, as v0.9.4 installs it (k8snetworkplumbingwg/whereabouts doc/crds/): its CRDs,
 * ServiceAccount and RBAC, the `whereabouts-config` ConfigMap, the DaemonSet that installs the plugin and
 * its kubeconfig on every node and runs the pod-deletion control loop, and the `whereabouts-reconciler`
 * Deployment that frees leaked addresses on a schedule (one replica: it has no leader election).
 */
export class Whereabouts extends Construct {
  public readonly namespace: string;
  public readonly image: string;
  /** The host's CNI configuration directory, where the plugin's own configuration is written (`whereabouts.d/`). */
  public readonly cniConfDir: string;

  constructor(scope: Construct, id: string, props: WhereaboutsProps = {}) {
    super(scope, id);
    this.namespace = checkDnsLabel(WHERE, 'namespace', props.namespace ?? defaultNamespace(this, 'kube-system'));
    this.image = checkImage(WHERE, 'image', props.image ?? WHEREABOUTS.image);
    const { binDir, confDir } = resolveCniHostPaths(WHERE, props);
    this.cniConfDir = confDir;
    const schedule = checkCron(props.reconcilerSchedule ?? WHEREABOUTS.reconcilerCron);
    const logLevel = checkOneOf(WHERE, 'logLevel', props.logLevel ?? 'debug', WHEREABOUTS_LOG_LEVELS);
    const labels = (name: string) => standardLabels(this, name, 'ipam');

    if (props.installCrds ?? true) {
      for (const [name, spec] of Object.entries(WHEREABOUTS_CRDS)) {
        new ApiObject(this, `Crd-${spec.names.kind}`, {
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          metadata: { name, labels: labels(NAME) },
          spec,
        });
      }
    }

    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: NAME, namespace: this.namespace, labels: labels(NAME) } });
    // Rules of k8snetworkplumbingwg/whereabouts doc/crds/daemonset-install.yaml at v0.9.4.
    new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: 'whereabouts-cni', labels: labels(NAME) },
      rules: [
        {
          apiGroups: ['whereabouts.cni.cncf.io'],
          resources: ['ippools', 'overlappingrangeipreservations', 'nodeslicepools'],
          verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
        },
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['*'] },
        { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch', 'get'] },
        { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['k8s.cni.cncf.io'], resources: ['network-attachment-definitions'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch', 'update', 'get'] },
      ],
    });
    new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: NAME, labels: labels(NAME) },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'whereabouts-cni' },
      subjects: [{ kind: 'ServiceAccount', name: NAME, namespace: this.namespace }],
    });
    new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: 'whereabouts-config', namespace: this.namespace, labels: labels(NAME) },
      data: { 'cron-expression': schedule },
    });

    const confMount = `/host${confDir}`;
    const namespaceEnv: k8s.EnvVar = { name: 'WHEREABOUTS_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } };
    new k8s.KubeDaemonSet(this, 'DaemonSet', {
      metadata: { name: NAME, namespace: this.namespace, labels: labels(NAME) },
      spec: {
        selector: { matchLabels: selectorLabels(this, NAME) },
        updateStrategy: { type: 'RollingUpdate' },
        template: {
          metadata: { labels: selectorLabels(this, NAME) },
          spec: {
            // As upstream: the kubeconfig install-cni.sh writes for the plugin (run by the host's runtime)
            // is derived from this pod's view of the API server.
            hostNetwork: true,
            priorityClassName: 'system-node-critical',
            serviceAccountName: NAME,
            tolerations: TOLERATE_ALL,
            containers: [
              {
                name: NAME,
                image: this.image,
                // Installs the plugin, kubeconfig and whereabouts.conf, refreshes the token, then runs the control loop.
                command: ['/bin/sh'],
                args: ['-c', `SLEEP=false source /install-cni.sh; /token-watcher.sh & /ip-control-loop -log-level ${logLevel}`],
                env: [
                  { name: 'NODENAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } },
                  namespaceEnv,
                  // install-cni.sh writes into CNI_CONF_DIR and records the kubeconfig path in whereabouts.conf as
                  // CNI_CONF_DIR without its "/host" prefix, so the directory is mounted at /host<host path>: the
                  // recorded path is then the host's, whatever the host directory is.
                  { name: 'CNI_CONF_DIR', value: confMount },
                ],
                // Upstream requests 100Mi and limits 200Mi; equal here for Guaranteed QoS.
                resources: guaranteed({ cpu: '100m', memory: '200Mi' }),
                securityContext: cniInstallerSecurityContext(props.privileged ?? false),
                volumeMounts: [
                  { name: 'cnibin', mountPath: '/host/opt/cni/bin' },
                  { name: 'cni-net-dir', mountPath: confMount },
                ],
              },
            ],
            volumes: [
              { name: 'cnibin', hostPath: { path: binDir, type: 'Directory' } },
              { name: 'cni-net-dir', hostPath: { path: confDir, type: 'Directory' } },
            ],
          },
        },
      },
    });

    new k8s.KubeDeployment(this, 'Reconciler', {
      metadata: { name: 'whereabouts-reconciler', namespace: this.namespace, labels: labels('whereabouts-reconciler') },
      spec: {
        // Exactly one: the reconciler has no leader election, and Recreate never runs two during a rollout.
        replicas: 1,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: selectorLabels(this, 'whereabouts-reconciler') },
        template: {
          // The schedule is read at start: a new one rolls the pod.
          metadata: {
            labels: selectorLabels(this, 'whereabouts-reconciler'),
            annotations: { [CONFIG_HASH_ANNOTATION]: configHash(schedule) },
          },
          spec: {
            serviceAccountName: NAME,
            containers: [
              {
                name: 'whereabouts-reconciler',
                image: this.image,
                command: ['/ip-reconciler'],
                args: ['-log-level', logLevel],
                env: [namespaceEnv],
                resources: guaranteed({ cpu: '100m', memory: '50Mi' }),
                // An API client only: no capabilities, no escalation.
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
                volumeMounts: [{ name: 'cron-scheduler-configmap', mountPath: '/cron-schedule' }],
              },
            ],
            volumes: [
              {
                name: 'cron-scheduler-configmap',
                configMap: { name: 'whereabouts-config', defaultMode: 0o744, items: [{ key: 'cron-expression', path: 'config' }] },
              },
            ],
          },
        },
      },
    });
  }
}

/**
 * The five fields of a standard cron expression and their ranges, as the robfig/cron v3 standard parser reads
 * them (minute 0-59, hour 0-23, day of month 1-31, month 1-12, day of week 0-6; github.com/robfig/cron
 * parser.go `minutes`..`dow` bounds), which the whereabouts reconciler schedules with [UNVERIFIED: the
 * reconciler's parser options]. Names (JAN, MON) and `?` are not accepted here.
 */
const CRON_BOUNDS: readonly (readonly [number, number])[] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 6],
];
const CRON_ELEMENT = /^(?:(\*)|(\d{1,2})(?:-(\d{1,2}))?)(?:\/(\d{1,2}))?$/;

/** One cron field: `*`, `N`, `N-M` (N <= M), each with an optional `/step` (1 or more), comma-separated, within [lo, hi]. */
function cronFieldOk(field: string, [lo, hi]: readonly [number, number]): boolean {
  return field.split(',').every(element => {
    const m = CRON_ELEMENT.exec(element);
    if (!m) return false;
    const [, star, a, b, step] = m;
    if (step !== undefined && Number(step) < 1) return false;
    if (star) return true;
    const from = Number(a);
    const to = b === undefined ? from : Number(b);
    return lo <= from && from <= to && to <= hi;
  });
}

function checkCron(value: string): string {
  const fields = typeof value === 'string' ? value.trim().split(/\s+/) : [];
  if (fields.length !== 5 || !fields.every((f, i) => cronFieldOk(f, CRON_BOUNDS[i]))) {
    throw new RdmaOptionError(
      WHERE,
      'reconcilerSchedule',
      value,
      'is not a cron expression',
      'five numeric cron fields (minute 0-59, hour 0-23, day of month 1-31, month 1-12, day of week 0-6), e.g. "30 4 * * *"',
    );
  }
  return value;
}
