import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { RdmaOptionError } from '../errors';
import { spreadAcrossNodes } from '../kube';
import { selectorLabels, standardLabels } from '../labels';
import { checkDnsLabel, checkPositiveInt } from '../validate';
import { BENCHMARK_IMAGE } from '../versions';
import { BenchmarkPodOptions, efaPodResources, mpiUserSecurityContext, podMetadata, podPlacement, resolveBenchmarkPod } from './benchmark-pod';

export interface EfaInfoJobProps extends BenchmarkPodOptions {
  /**
   * Job name.
   * @default 'efa-fi-info'
   */
  readonly name?: string;
}

/**
 * A Job that runs `fi_info -p efa -t FI_EP_RDM` in a pod holding an EFA device: it lists the EFA provider's
 * RDM endpoints, or exits non-zero (`-61 No data available`) when the pod has no usable EFA.
 */
export class EfaInfoJob extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: EfaInfoJobProps = {}) {
    super(scope, id);
    const where = 'EfaInfoJob';
    const pod = resolveBenchmarkPod(where, props);
    this.name = checkDnsLabel(where, 'name', props.name ?? 'efa-fi-info');
    const labels = standardLabels(this, this.name, 'efa-check');
    new k8s.KubeJob(this, 'Resource', {
      metadata: { name: this.name, namespace: pod.namespace, labels },
      spec: {
        backoffLimit: 2,
        template: {
          metadata: podMetadata(pod, labels),
          spec: {
            ...podPlacement(pod),
            restartPolicy: 'Never',
            containers: [{
              name: 'fi-info',
              image: pod.image,
              command: [BENCHMARK_IMAGE.fiInfo],
              args: ['-p', 'efa', '-t', 'FI_EP_RDM'],
              securityContext: mpiUserSecurityContext(),
              resources: efaPodResources(pod),
            }],
          },
        },
      },
    });
  }
}

/** Message sizes of the published EKS graviton3 fi_pingpong table (shared seed 003). */
export const PINGPONG_MESSAGE_SIZES: readonly number[] = [4, 16, 64, 256, 1024, 10240, 51200, 102400];

export interface EfaPingpongTestProps extends BenchmarkPodOptions {
  /**
   * Base name of the Service and the two Jobs (`<name>-server`, `<name>-client`).
   * @default 'fi-pingpong'
   */
  readonly name?: string;
  /**
   * Message sizes in bytes; fi_pingpong runs once per size.
   * @default [4, 16, 64, 256, 1024, 10240, 51200, 102400]
   */
  readonly messageSizes?: number[];
  /**
   * fi_pingpong `-I` iterations per size (the published table used 1,000,000).
   * @default 1000000
   */
  readonly iterations?: number;
}

/**
 * An `fi_pingpong -p efa -e rdm` server/client pair on two different nodes with a message-size sweep, as in
 * the published EKS graviton3 table. The client reaches the server's out-of-band port through a headless
 * Service; the data path is EFA. fi_pingpong prints `usec/xfer`, one-way latency comparable to osu_latency.
 */
export class EfaPingpongTest extends Construct {
  public readonly name: string;
  /** DNS name the client uses for the server. */
  public readonly serverHost: string;

  constructor(scope: Construct, id: string, props: EfaPingpongTestProps = {}) {
    super(scope, id);
    const where = 'EfaPingpongTest';
    const pod = resolveBenchmarkPod(where, props);
    this.name = checkDnsLabel(where, 'name', props.name ?? 'fi-pingpong');
    checkDnsLabel(where, 'name', `${this.name}-server`);
    const sizes = props.messageSizes ?? [...PINGPONG_MESSAGE_SIZES];
    if (sizes.length === 0) {
      throw new RdmaOptionError(where, 'messageSizes', sizes, 'is empty', 'a list of message sizes in bytes, e.g. [4, 16, 64]');
    }
    sizes.forEach((s, i) => checkPositiveInt(where, `messageSizes[${i}]`, s));
    const iterations = checkPositiveInt(where, 'iterations', props.iterations ?? 1000000);

    const serverName = `${this.name}-server`;
    this.serverHost = `${serverName}.${this.name}.${pod.namespace}.svc`;
    const pairLabels = selectorLabels(this, this.name);

    new k8s.KubeService(this, 'Service', {
      metadata: { name: this.name, namespace: pod.namespace, labels: standardLabels(this, this.name, 'efa-check') },
      spec: {
        clusterIp: 'None',
        // The client may connect before the server pod reports Ready.
        publishNotReadyAddresses: true,
        selector: { ...pairLabels, 'app.kubernetes.io/component': 'fi-pingpong-server' },
      },
    });

    // fi_pingpong options (libfabric util/pingpong.c): -p provider, -e endpoint type, -I iterations, -S size.
    const pingpong = `${BENCHMARK_IMAGE.fiPingpong} -p efa -e rdm -I ${iterations} -S "$size"`;
    const sizeList = sizes.join(' ');
    const server = `set -eu\nfor size in ${sizeList}; do\n  ${pingpong}\ndone\n`;
    // The server restarts for every size; the client retries until it is listening again (60 tries, 2 s apart).
    const client = `set -eu\nfor size in ${sizeList}; do\n  n=0\n  until ${pingpong} ${this.serverHost}; do\n`
      + '    n=$((n + 1)); [ "$n" -lt 60 ] || exit 1; sleep 2\n  done\ndone\n';

    const job = (role: 'server' | 'client', script: string, extra: Partial<k8s.PodSpec>) => {
      const name = `${this.name}-${role}`;
      const labels = standardLabels(this, this.name, `fi-pingpong-${role}`);
      new k8s.KubeJob(this, role === 'server' ? 'Server' : 'Client', {
        metadata: { name, namespace: pod.namespace, labels },
        spec: {
          backoffLimit: 0,
          template: {
            metadata: podMetadata(pod, labels),
            spec: {
              ...podPlacement(pod),
              ...extra,
              restartPolicy: 'Never',
              // Server and client never share a node: EFA has no same-host loopback path.
              affinity: spreadAcrossNodes(pairLabels),
              containers: [{
                name: 'fi-pingpong',
                image: pod.image,
                command: ['/bin/sh', '-c', script],
                securityContext: mpiUserSecurityContext(['IPC_LOCK']),
                resources: efaPodResources(pod),
              }],
            },
          },
        },
      });
    };
    job('server', server, { hostname: serverName, subdomain: this.name });
    job('client', client, {});
  }
}
