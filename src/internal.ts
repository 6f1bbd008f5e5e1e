/*
 * Every module of cdk8s-rdma in one barrel, for the tests and scripts of this repository: NOT the package's
 * API (that is src/index.ts) and not exported by package.json.
 */
export * from './errors';
export * from './kube';
export * from './labels';
export * from './versions';
export * from './version';
export * from './crds';
export * from './constructs/namespace';
export * from './constructs/benchmark-pod';
export * from './constructs/efa-device-plugin';
export * from './constructs/dra';
export * from './constructs/karpenter';
export * from './constructs/kueue';
export * from './constructs/nccl-test-job';
export * from './constructs/mpi-operator';
export * from './constructs/mpi-latency-job';
export * from './constructs/efa-checks';
export * from './constructs/hugepages-machine-config';
export * from './constructs/memlock-config';
export * from './constructs/node-feature-discovery';
export * from './constructs/openshift-scc';
export * from './constructs/openshift-efa-device-plugin';
export * from './constructs/mpi-job-security';
export * from './constructs/efa-machine-set';
export * from './constructs/cni-node-agent';
export * from './constructs/multus';
export * from './constructs/ipoib-cni';
export * from './constructs/whereabouts';
export * from './constructs/ipoib-network';
export * from './constructs/rdma-device-plugin';
export * from './constructs/ib-workloads';
export * from './constructs/network-operator';
export * from './ip';
export * from './profiles';
export * from './output/bundle';
export * as report from './report';
export * from './synth';
export * from './checks';
export * from './efa-capacity';
export * from './gitops';
