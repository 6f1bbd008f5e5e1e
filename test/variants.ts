/** Option sets per profile that change the shape of the output; conformance validates them too. */
export const PROFILE_VARIANTS: Record<string, Record<string, unknown>> = {
  'baremetal-ipoib': {
    'jarvice plugin with KNEM, OpenShift CNI paths, IPv6 range with every IPAM key, osu_bw, ib_write_bw': {
      namespace: 'hpc',
      cni: { cniBinDir: '/var/lib/cni/bin', cniConfDir: '/etc/kubernetes/cni/net.d', privileged: true },
      multus: { enabled: false },
      ipoibCni: { nodeSelector: { 'example.com/infiniband': 'true' } },
      whereabouts: { reconcilerSchedule: '*/15 * * * *', logLevel: 'error' },
      network: {
        name: 'fabric', master: 'ib1', cniVersion: '1.0.0',
        ipam: { range: 'fd00:ab::/64', rangeStart: 'fd00:ab::10', rangeEnd: 'fd00:ab::ff', exclude: ['fd00:ab::20/126'], gateway: 'fd00:ab::1' },
      },
      devicePlugin: { variant: 'jarvice', knem: true, nodeSelector: { 'example.com/infiniband': 'true' }, tolerations: [{ key: 'hpc', operator: 'Exists', effect: 'NoSchedule' }] },
      tests: {
        imagePullSecrets: ['registry-creds'], memory: '4Gi', cpu: '2', tolerations: [{ key: 'hpc', operator: 'Exists', effect: 'NoSchedule' }],
        bandwidth: { program: 'ib_write_bw', device: 'mlx5_0', iterations: 5000, messageSize: 1048576 },
        mpi: { benchmark: 'osu_bw', ucxNetDevices: 'mlx5_0:1' },
      },
    },
    'rdma-shared with two resources, custom Multus, non-default CNI conf dir': {
      cni: { cniConfDir: '/etc/cni/custom.d' },
      multus: { memory: '512Mi', cpu: '200m', logLevel: 'error' },
      devicePlugin: {
        periodicUpdateInterval: 0,
        kubeletRootDir: '/data/kubelet',
        configList: [
          { resourceName: 'hca_ib', resourcePrefix: 'example.com', rdmaHcaMax: 1000, selectors: { vendors: ['15b3'], deviceIDs: ['101b'], drivers: ['mlx5_core'], linkTypes: ['infiniband'] } },
          { resourceName: 'hca_roce', rdmaHcaMax: 63, selectors: { ifNames: ['ens1f0'], linkTypes: ['ether'] } },
        ],
      },
      mpiOperator: { install: false },
      tests: { testPod: false, bandwidth: { enabled: false } },
    },
    'operator mode': {
      mode: 'operator',
      operator: { multus: false, ofedDriver: true, imagePullSecrets: ['ngc-pull'], tolerations: [{ key: 'hpc', operator: 'Exists', effect: 'NoSchedule' }] },
      devicePlugin: { configList: [{ resourceName: 'rdma_ib', rdmaHcaMax: 200, selectors: { vendors: ['15b3'], linkTypes: ['infiniband'] } }] },
      network: { master: 'ib0', ipam: { range: '10.56.0.0/16', gateway: '10.56.0.1' } },
    },
    'DRA with dranet on two HCAs, Kubernetes 1.35': {
      kubernetesVersion: '1.35',
      deviceApi: 'dra',
      dra: { rdmaDevices: ['mlx5_0', 'mlx5_1'] },
      tests: { bandwidth: { device: 'mlx5_0' }, mpi: { ucxNetDevices: 'mlx5_0:1' }, nccl: { enabled: true, gpusPerWorker: 8, hcasPerWorker: 8 } },
    },
    'NCCL over InfiniBand on two HCAs': {
      tests: { nccl: { enabled: true, gpusPerWorker: 4, workers: 4, ibHcas: ['mlx5_0', 'mlx5_1'] } },
    },
  },
  'eks-efa': {
    'privileged plugin, label targeting, osu_bw': {
      devicePlugin: {
        privileged: true,
        nodeTargeting: 'node-labels',
        nodeLabels: { 'vpc.amazonaws.com/efa': 'enabled' },
        tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
        podAnnotations: { 'example.com/team': 'hpc' },
        imagePullSecrets: ['mirror-pull'],
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } },
        resources: { requests: { cpu: '10m', memory: '20Mi' }, limits: { memory: '100Mi' } },
      },
      benchmarks: {
        efaDevices: 4,
        hugepages2Mi: '10240Mi',
        imagePullSecrets: ['registry-creds'],
        tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
        nodeSelector: { 'node.kubernetes.io/instance-type': 'p5.48xlarge' },
        osu: { benchmark: 'osu_bw', messageSizes: '1:1048576', iterations: 50 },
      },
    },
    'no targeting, operator not installed': {
      devicePlugin: { nodeTargeting: 'none' },
      mpiOperator: { install: false },
    },
    'DRA with aws-dranet on p5, 4 EFA per pod, Kubernetes 1.36': {
      kubernetesVersion: '1.36',
      deviceApi: 'dra',
      dra: { namespace: 'dra-system', image: 'registry.example.com/eks/dranet:v1.2.0-eksbuild.2' },
      devicePlugin: { enabled: false, instanceTypes: ['p5.48xlarge', 'p5en.48xlarge'] },
      benchmarks: { efaDevices: 4, osu: { tcpTwin: false }, nccl: { enabled: true, instanceType: 'p5.48xlarge' } },
    },
    'NCCL all_gather on 4 × p5en.48xlarge': {
      benchmarks: { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }], nccl: { enabled: true, instanceType: 'p5en.48xlarge', collective: 'all_gather_perf', workers: 4 } },
    },
    'Karpenter EFA nodes on p5 and Kueue with a required topology, osu_allreduce on 16 nodes': {
      karpenter: { enabled: true, clusterName: 'hpc-prod', zone: 'us-west-2a', maxNodes: 16 },
      kueue: { enabled: true, topology: 'required' },
      benchmarks: { osu: { benchmark: 'osu_allreduce', workers: 16 }, nccl: { enabled: true, workers: 4 } },
    },
    'Karpenter on p4d spot with subnet and security group IDs, Kueue without topology, osu_alltoall': {
      karpenter: {
        enabled: true, name: 'p4d-spot', instanceType: 'p4d.24xlarge', clusterName: 'hpc', zone: 'us-east-1c', capacityType: 'spot', maxNodes: 8,
        subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0', 'sg-0fedcba9876543210'], amiAlias: 'bottlerocket@v1.40.0', consolidateAfter: '30m', efaInterfaces: 2,
      },
      kueue: { enabled: true, name: 'hpc', queueName: 'hpc-jobs', topology: 'none', quota: { cpu: '64', memory: '256Gi', hugepages2Mi: '80Gi', efa: 16, gpus: 64 } },
      benchmarks: { osu: { benchmark: 'osu_alltoall', workers: 8, tcpTwin: false } },
    },
    'Kueue on a node group (preferred layer-2 topology), no Karpenter': {
      kueue: { enabled: true, topologyLevel: 'topology.k8s.aws/network-node-layer-2', nodeLabels: { 'eks.amazonaws.com/nodegroup': 'efa' } },
      benchmarks: { osu: { benchmark: 'osu_allreduce', workers: 4 } },
    },
    'DRA with the cluster\'s aws-dranet, label targeting': {
      deviceApi: 'dra',
      dra: { install: false },
      devicePlugin: { nodeTargeting: 'node-labels', nodeLabels: { 'vpc.amazonaws.com/efa': 'enabled' } },
    },
  },
  'openshift-efa': {
    '4.18, EFA MachineSet with autoscalers, host network, 1G pages': {
      openshiftVersion: '4.18',
      nodeConfig: { pool: { maxUnavailable: 2 }, hugepages: { pageSize: '1G', count: 16 }, memlock: { extraUlimits: ['nofile=1048576:1048576'] } },
      nfd: { installPlanApproval: 'Manual', operandImage: 'registry.redhat.io/openshift4/ose-node-feature-discovery-rhel9:v4.18', efaRule: { deviceIds: ['efa0', 'efa1', 'efa2'] } },
      devicePlugin: { image: 'quay.io/example/aws-efa-k8s-device-plugin:v0.5.20', imagePullSecrets: ['quay-pull'], tolerations: [{ key: 'hpc', operator: 'Exists', effect: 'NoSchedule' }] },
      benchmarks: { hostNetwork: true, efaDevices: 1, imagePullSecrets: ['registry-creds'], benchmark: 'osu_bw', iterations: 50 },
      machineSet: {
        infrastructureId: 'mycluster-x7k2p', zone: 'us-east-1a', amiId: 'ami-0123456789abcdef0', placementGroupName: 'mycluster-efa',
        instanceType: 'c5n.18xlarge', taints: [{ key: 'hpc', effect: 'NoSchedule' }], tags: { team: 'hpc' },
        autoscaler: { minReplicas: 2, maxReplicas: 6 },
      },
      clusterAutoscaler: { maxNodesTotal: 24 },
    },
    '4.19, worker role, vCPU-sized huge pages, no NFD, subnet by id': {
      openshiftVersion: '4.19',
      nodeConfig: { pool: { enabled: false }, hugepages: { vcpus: 72 } },
      nfd: { enabled: false },
      devicePlugin: { nodeTargeting: 'instance-types', instanceTypes: ['c5n.18xlarge', 'hpc7g.16xlarge'] },
      mpiOperator: { install: false },
      benchmarks: { jobs: { intel: false } },
      machineSet: {
        infrastructureId: 'mycluster-x7k2p', zone: 'eu-west-1b', amiId: 'ami-0123456789abcdef0', placementGroupName: 'pg-efa',
        subnetId: 'subnet-0123456789abcdef0', securityGroupNames: ['mycluster-x7k2p-node', 'mycluster-x7k2p-efa'], autoscaler: false, replicas: 2,
      },
    },
    '4.20 defaults': { openshiftVersion: '4.20' },
    '4.18 with the NCCL job on p4d': { benchmarks: { nccl: { enabled: true, instanceType: 'p4d.24xlarge' } } },
  },
};
