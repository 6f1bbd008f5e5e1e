/**
 * Every pinned image and upstream version cdk8s-rdma emits, in one place. Never `latest`.
 * Each entry cites where the fact comes from: the upstream repository, path and version, or a URL.
 */

/** AWS EFA Kubernetes device plugin (aws-samples/aws-efa-eks manifest/efa-k8s-device-plugin.yml @9d6557e; aws/eks-charts stable/aws-efa-k8s-device-plugin @5239609). */
export const EFA_DEVICE_PLUGIN = {
  /** Repository path inside the regional EKS ECR registry. */
  repository: 'eks/aws-efa-k8s-device-plugin',
  /** appVersion / image.tag of aws/eks-charts stable/aws-efa-k8s-device-plugin (chart v0.5.30, copy 2026-08-03). */
  tag: 'v0.5.20',
  /** Region of the registry in the upstream manifests and chart values. */
  defaultRegion: 'us-west-2',
  /** Resource name the plugin advertises (aws-efa-eks README; every example requests it). */
  resourceName: 'vpc.amazonaws.com/efa',
} as const;

/**
 * Amazon EKS add-on image registries by region: every row of "View Amazon container image registries for
 * Amazon EKS add-ons" (awsdocs/amazon-eks-user-guide latest/ug/workloads/add-ons-images.adoc @1cc6ebb), plus
 * ap-southeast-5, read in the published page (docs.aws.amazon.com/eks/latest/userguide/add-ons-images.html,
 * 2026 copy) but not in that file. The file gives ap-east-2's host as `...dkr.ecr.ap-east-1...`; the image
 * here uses the region's own host, like every other row [UNVERIFIED for ap-east-2]. Regions not listed must
 * pass an explicit `image`.
 */
export const EKS_ADDON_REGISTRY_ACCOUNTS: Readonly<Record<string, string>> = {
  'af-south-1': '877085696533',
  'ap-east-1': '800184023465',
  'ap-east-2': '533267051163',
  'ap-northeast-1': '602401143452',
  'ap-northeast-2': '602401143452',
  'ap-northeast-3': '602401143452',
  'ap-south-1': '602401143452',
  'ap-south-2': '900889452093',
  'ap-southeast-1': '602401143452',
  'ap-southeast-2': '602401143452',
  'ap-southeast-3': '296578399912',
  'ap-southeast-4': '491585149902',
  'ap-southeast-6': '333609536671',
  'ap-southeast-7': '121268973566',
  'ca-central-1': '602401143452',
  'ca-west-1': '761377655185',
  'cn-north-1': '918309763551',
  'cn-northwest-1': '961992271922',
  'eu-central-1': '602401143452',
  'eu-central-2': '900612956339',
  'eu-north-1': '602401143452',
  'eu-south-1': '590381155156',
  'eu-south-2': '455263428931',
  'eu-west-1': '602401143452',
  'eu-west-2': '602401143452',
  'eu-west-3': '602401143452',
  'eusc-de-east-1': '877088126301',
  'il-central-1': '066635153087',
  'me-central-1': '759879836304',
  'me-south-1': '558608220178',
  'mx-central-1': '730335286997',
  'sa-east-1': '602401143452',
  'us-east-1': '602401143452',
  'us-east-2': '602401143452',
  'us-gov-east-1': '151742754352',
  'us-gov-west-1': '013241004608',
  'us-west-1': '602401143452',
  'us-west-2': '602401143452',
  'ap-southeast-5': '151610086707',
};

/** DNS suffix of a region's ECR registry host: China and the European Sovereign Cloud have their own partitions (same page). */
export function ecrDomain(region: string): string {
  if (region.startsWith('cn-')) return 'amazonaws.com.cn';
  if (region.startsWith('eusc-')) return 'amazonaws.eu';
  return 'amazonaws.com';
}

/** The ECR image of the EFA device plugin for a region, or undefined when the region's registry is not known. */
export function efaDevicePluginImage(region: string, tag: string): string | undefined {
  const account = EKS_ADDON_REGISTRY_ACCOUNTS[region];
  if (!account) return undefined;
  return `${account}.dkr.ecr.${region}.${ecrDomain(region)}/${EFA_DEVICE_PLUGIN.repository}:${tag}`;
}

/** kubeflow mpi-operator serving MPIJob kubeflow.org/v2beta1 (kubeflow/mpi-operator deploy/v2beta1/mpi-operator.yaml, v0.8.0). */
export const MPI_OPERATOR = {
  /** Image tag of deploy/v2beta1/mpi-operator.yaml at tag v0.8.0 (`mpioperator/mpi-operator:0.8.0`). */
  image: 'mpioperator/mpi-operator:0.8.0',
  /** Release the CRD definition and RBAC rules follow. */
  release: 'v0.8.0',
} as const;

/**
 * The official kubectl image: registry.k8s.io publishes `kubectl:<release>` for every Kubernetes release
 * since v1.28 (kumahq/kuma PR #14300; the k8s-artifacts-prod listing shows `registry.k8s.io/kubectl:v1.36.0`).
 * It has no shell; the binary is `/bin/kubectl` (Dockerfiles copy it `--from=registry.k8s.io/kubectl:v1.32.0
 * /bin/kubectl`). v1.35.2 is the kubectl the tests run. The tag itself is UNVERIFIED in the registry (no
 * network here): it follows the published naming.
 */
export const KUBECTL_IMAGE = {
  image: 'registry.k8s.io/kubectl:v1.35.2',
  binary: '/bin/kubectl',
} as const;

/**
 * The benchmark image built from container/Dockerfile.openmpi. The tag encodes the pinned EFA installer
 * and OSU versions of that Dockerfile (a test keeps the two in step). There is no public registry copy:
 * build and push it (README, "Benchmark image"), then point `image` at your registry.
 */
/** Where OSU 7.x `make install` puts the point-to-point benchmarks ($pkglibexecdir/mpi/pt2pt of OSU micro-benchmarks 7.x `make install`). */
export const OSU_PT2PT_DIR = '/opt/osu-micro-benchmarks/libexec/osu-micro-benchmarks/mpi/pt2pt';
/** Where it puts the blocking collectives (osu_allreduce, osu_alltoall): $pkglibexecdir/mpi/collective. */
export const OSU_COLLECTIVE_DIR = '/opt/osu-micro-benchmarks/libexec/osu-micro-benchmarks/mpi/collective';

export const BENCHMARK_IMAGE = {
  efaInstallerVersion: '1.47.0',
  osuVersion: '7.4',
  repository: 'cdk8s-rdma-efa-openmpi',
  get tag(): string {
    return `efa${this.efaInstallerVersion}-omb${this.osuVersion}`;
  },
  get image(): string {
    return `${this.repository}:${this.tag}`;
  },
  /** UID/GID of the unprivileged `mpiuser` the image creates (as the mpi-operator base image does). */
  uid: 1000,
  /** Port sshd listens on in the image (the mpi-operator base image uses 2222). */
  sshPort: 2222,
  /** The user's home, where the operator mounts the SSH key (`sshAuthMountPath`). */
  sshAuthMountPath: '/home/mpiuser/.ssh',
  sshd: '/usr/sbin/sshd',
  sshdConfig: '/home/mpiuser/.sshd_config',
  mpirun: '/opt/amazon/openmpi/bin/mpirun',
  fiInfo: '/opt/amazon/efa/bin/fi_info',
  fiPingpong: '/opt/amazon/efa/bin/fi_pingpong',
  osuPt2ptDir: OSU_PT2PT_DIR,
  osuCollectiveDir: OSU_COLLECTIVE_DIR,
};

/**
 * The Intel MPI benchmark image built from container/Dockerfile.intel: Intel MPI from Intel's oneAPI APT
 * repository, the EFA installer in minimal mode (libfabric with the EFA provider, no Open MPI), and OSU built
 * with the Intel compiler wrappers. Same user, sshd and port as the Open MPI image; a test keeps the
 * Dockerfile and these values in step.
 */
export const INTEL_BENCHMARK_IMAGE = {
  efaInstallerVersion: '1.47.0',
  osuVersion: '7.4',
  /** Intel MPI Library release (oneAPI package `intel-oneapi-mpi-devel-<version>`). [UNVERIFIED: package name pinned from memory of the oneAPI APT repository; the Dockerfile fails its build if the paths below do not exist.] */
  intelMpiVersion: '2021.14',
  /** oneAPI DPC++/C++ compiler release providing icx for `mpiicx` (`intel-oneapi-compiler-dpcpp-cpp-<version>`). [UNVERIFIED like the above.] */
  intelCompilerVersion: '2025.0',
  repository: 'cdk8s-rdma-efa-intelmpi',
  get tag(): string {
    return `efa${this.efaInstallerVersion}-impi${this.intelMpiVersion}-omb${this.osuVersion}`;
  },
  get image(): string {
    return `${this.repository}:${this.tag}`;
  },
  get mpirun(): string {
    return `/opt/intel/oneapi/mpi/${this.intelMpiVersion}/bin/mpirun`;
  },
  osuPt2ptDir: OSU_PT2PT_DIR,
  osuCollectiveDir: OSU_COLLECTIVE_DIR,
};

/** OpenShift Node Feature Discovery operator from OLM (openshift-docs modules/psap-installing-node-feature-discovery-operator.adoc; openshift/cluster-nfd-operator api/v1; kubernetes-sigs/node-feature-discovery docs). */
export const NFD_OPERATOR = {
  namespace: 'openshift-nfd',
  packageName: 'nfd',
  channel: 'stable',
  source: 'redhat-operators',
  sourceNamespace: 'openshift-marketplace',
  /** PCI vendor id of Amazon (EFA and ENA adapters alike). */
  amazonPciVendor: '1d0f',
  /**
   * PCI device ids of EFA adapters: every id the EFA kernel driver binds. amzn/amzn-drivers
   * kernel/linux/efa/src/efa_main.c `efa_pci_tbl` (driver 3.1.0 @64788ef) lists 0xefa0 to 0xefa3 (0xefa1 added
   * in r1.9.0, 0xefa2 in r2.1.0, 0xefa3 in r2.12.0, kernel/linux/efa/RELEASENOTES.md); 0xefa4 is named
   * "Elastic Fabric Adapter (EFA)" in pci.ids (pciutils/pciids, 2026-05-04 snapshot) and added to rdma-core
   * (PR #1760) and perftest (PR #399); the driver release that binds it (r3.3.0 per the issue report) is
   * [UNVERIFIED] in the copies read (amzn/amzn-drivers kernel/linux/efa/src/efa_main.c @64788ef; pciutils/pciids pci.ids). The ids are adapter generations, not
   * CPU architectures; which instance types carry which is not published.
   */
  efaDeviceIds: ['efa0', 'efa1', 'efa2', 'efa3', 'efa4'],
} as const;

/*
 * InfiniBand stack. Every upstream manifest ships `latest` or a moving snapshot tag; these are
 * the released tags of the copies read there.
 */

/** Multus CNI, thick plugin (k8snetworkplumbingwg/multus-cni deployments/multus-daemonset-thick.yml): the release workflow publishes `<tag>-thick` images. */
export const MULTUS = {
  image: 'ghcr.io/k8snetworkplumbingwg/multus-cni:v4.3.0-thick',
} as const;

/** Mellanox ipoib-cni (Mellanox/ipoib-cni; tag v1.2.2, 2025-03-25, also in network-operator's images-sha256 list). */
export const IPOIB_CNI = {
  image: 'ghcr.io/mellanox/ipoib-cni:v1.2.2',
} as const;

/** Whereabouts IPAM (k8snetworkplumbingwg/whereabouts doc/crds/, v0.9.4; v0.9.4 is the release with the separate reconciler Deployment). */
export const WHEREABOUTS = {
  image: 'ghcr.io/k8snetworkplumbingwg/whereabouts:v0.9.4',
  /** Reconciler schedule of the upstream ConfigMap `whereabouts-config`. */
  reconcilerCron: '30 4 * * *',
} as const;

/** Mellanox k8s-rdma-shared-dev-plugin (Mellanox/k8s-rdma-shared-dev-plugin deployment/k8s/base; tag v1.5.3, 2025-03-26, images on ghcr.io). */
export const RDMA_SHARED_DEVICE_PLUGIN = {
  image: 'ghcr.io/mellanox/k8s-rdma-shared-dev-plugin:v1.5.3',
  /** Resource prefix the plugin uses when a configList entry sets none. */
  defaultResourcePrefix: 'rdma',
} as const;

/** nimbix jarvice-k8s-rdma, the `jarvice.com/rdma` plugin (nimbix/jarvice-k8s-rdma; image of jarvice-helm values). */
export const JARVICE_RDMA_DEVICE_PLUGIN = {
  image: 'us-docker.pkg.dev/jarvice/images/k8s-rdma-device:1.0.3',
  resourceName: 'jarvice.com/rdma',
} as const;

/**
 * NVIDIA network-operator release whose component images operator mode names (Mellanox/network-operator
 * hack/release.yaml at tag v26.4.1): `nvcr.io/nvidia/mellanox/<image>:network-operator-v26.4.1`.
 */
export const NETWORK_OPERATOR = {
  repository: 'nvcr.io/nvidia/mellanox',
  version: 'network-operator-v26.4.1',
  images: {
    rdmaSharedDevicePlugin: 'k8s-rdma-shared-dev-plugin',
    multus: 'multus-cni',
    cniPlugins: 'plugins',
    ipoib: 'ipoib-cni',
    /** NV-IPAM: example/crs/mellanox.com_v1alpha1_nicclusterpolicy_cr-ipoib.yaml at v26.4.1 (Mellanox/network-operator @v26.4.1). */
    nvIpam: 'nvidia-k8s-ipam',
  },
  /**
   * Namespace nv-ipam reads its IPPools from when the operator deploys it: the operator's own, as the
   * operator's example IPPool (example/crs/nvidia.com_v1alpha1_nv_ipam_ippool_cr.yaml @b06827e) is placed.
   */
  nvIpamPoolNamespace: 'nvidia-network-operator',
  /** The only NicClusterPolicy name the operator acts on (pkg/consts/consts.go). */
  policyName: 'nic-cluster-policy',
  /** The DOCA driver container of the same release (hack/release.yaml at v26.4.1). */
  docaDriver: { repository: 'nvcr.io/nvidia/mellanox', image: 'doca-driver', version: 'doca3.4.1-26.04-1.1.0.0-1' },
} as const;

/**
 * The InfiniBand benchmark image built from container/Dockerfile.ib: Debian 12 (bookworm) with rdma-core,
 * perftest, Debian's Open MPI (built with UCX) and OSU. Package versions were read from the bookworm
 * archive (perftest 4.5+0.17-1, openmpi 4.1.4-3+b1, libucx0 1.13.1-1, rdma-core 44.0-2); a test keeps the
 * Dockerfile and these values in step.
 */
export const IB_BENCHMARK_IMAGE = {
  debianRelease: 'bookworm',
  osuVersion: '7.4',
  repository: 'cdk8s-rdma-ib',
  get tag(): string {
    return `${this.debianRelease}-omb${this.osuVersion}`;
  },
  get image(): string {
    return `${this.repository}:${this.tag}`;
  },
  mpirun: '/usr/bin/mpirun',
  perftestDir: '/usr/bin',
  osuPt2ptDir: OSU_PT2PT_DIR,
  osuCollectiveDir: OSU_COLLECTIVE_DIR,
};

/**
 * aws-dranet, the EFA DRA driver: kubernetes-sigs/dranet built by EKS, as the aws/eks-charts chart
 * `stable/aws-dranet` deploys it (chart 1.0.0, appVersion v1.2.0-eksbuild.2; Chart.yaml and values.yaml at
 * aws/eks-charts 5239609, 2026-08-03; unchanged in tags v0.0.234 to v0.0.242). The chart's image is in the
 * us-west-2 EKS registry; copies in other regions' registries are UNVERIFIED, so `dra.image` names another.
 */
export const AWS_DRANET = {
  image: '602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/dranet:v1.2.0-eksbuild.2',
  /** The chart the objects follow (its name and version, for the README and the upgrade notes). */
  chart: 'aws/eks-charts stable/aws-dranet 1.0.0',
} as const;

/**
 * kubernetes-sigs/dranet, the DRA network driver (latest release tag v1.4.0, ca195e2, 2026-07-17). The
 * repository's install.yaml and Helm chart (deployments/helm/dranet/values.yaml) pull
 * `registry.k8s.io/networking/dranet`, install.yaml with the moving tag `stable`; this pins the release tag
 * [UNVERIFIED: the tag's presence in registry.k8s.io was not checked].
 */
export const DRANET = {
  image: 'registry.k8s.io/networking/dranet:v1.4.0',
} as const;

/**
 * The NCCL test image for EFA, built from container/Dockerfile.nccl: the pins of awslabs/awsome-distributed-ai
 * micro-benchmarks/nccl-tests/nccl-tests.Dockerfile @95b939c (CUDA 13.0.2 devel on Ubuntu 22.04 from
 * nvcr.io/nvidia/cuda, GDRCopy v2.5.2, EFA installer 1.48.0, which carries aws-ofi-nccl, NCCL v2.30.4-1,
 * nccl-tests v2.18.3 built with MPI=1 against Amazon Open MPI), plus the sshd and `mpiuser` of our other
 * images. Build and push it; a test keeps the Dockerfile and these values in step.
 */
export const NCCL_IMAGE = {
  cudaVersion: '13.0.2',
  gdrcopyVersion: 'v2.5.2',
  efaInstallerVersion: '1.48.0',
  ncclVersion: 'v2.30.4-1',
  ncclTestsVersion: 'v2.18.3',
  repository: 'cdk8s-rdma-nccl',
  get tag(): string {
    return `cuda${this.cudaVersion}-efa${this.efaInstallerVersion}-nccl${this.ncclVersion.replace(/^v/, '')}-tests${this.ncclTestsVersion.replace(/^v/, '')}`;
  },
  get image(): string {
    return `${this.repository}:${this.tag}`;
  },
  mpirun: '/opt/amazon/openmpi/bin/mpirun',
  /** nccl-tests' binaries (`make` puts them in build/). */
  testsDir: '/opt/nccl-tests/build',
};

/**
 * The NCCL test image for InfiniBand, built from container/Dockerfile.nccl-ib: the same CUDA, NCCL and
 * nccl-tests pins, with rdma-core's verbs userspace and Ubuntu's Open MPI instead of the EFA installer.
 */
export const NCCL_IB_IMAGE = {
  cudaVersion: NCCL_IMAGE.cudaVersion,
  ncclVersion: NCCL_IMAGE.ncclVersion,
  ncclTestsVersion: NCCL_IMAGE.ncclTestsVersion,
  repository: 'cdk8s-rdma-nccl-ib',
  get tag(): string {
    return `cuda${this.cudaVersion}-nccl${this.ncclVersion.replace(/^v/, '')}-tests${this.ncclTestsVersion.replace(/^v/, '')}`;
  },
  get image(): string {
    return `${this.repository}:${this.tag}`;
  },
  mpirun: '/usr/bin/mpirun',
  testsDir: '/opt/nccl-tests/build',
};
