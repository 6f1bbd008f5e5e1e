import { readFileSync } from 'fs';
import { join } from 'path';
import {
  BENCHMARK_IMAGE,
  IB_BENCHMARK_IMAGE,
  INTEL_BENCHMARK_IMAGE,
  NCCL_COLLECTIVES,
  NCCL_IB_IMAGE,
  NCCL_IMAGE,
  NcclTestJob,
  OSU_BENCHMARKS,
  isCollective,
  synthProfile,
} from '../src/internal';
import { only, synth } from './helpers';
import { PROFILE_VARIANTS } from './variants';

function read(name: string) {
  const text = readFileSync(join(__dirname, '..', 'container', name), 'utf8');
  const line = (re: RegExp) => text.split('\n').find(l => re.test(l));
  /** Executables the Dockerfile's final check asserts exist (`test -x` loop). */
  const checked = () => {
    const start = text.indexOf('RUN for f in ');
    const loop = text.slice(start, text.indexOf('; do', start));
    return loop.replace('RUN for f in ', '').replace(/\\\n/g, ' ').split(/\s+/).filter(Boolean);
  };
  return { text, line, checked };
}

/** Containers of the MPIJobs and Jobs of the given objects that use `image`. */
function containersOf(objs: any[], image: string): any[] {
  return objs
    .flatMap(o => {
      const specs =
        o.kind === 'MPIJob'
          ? Object.values(o.spec.mpiReplicaSpecs).map((r: any) => r.template.spec)
          : o.kind === 'Job'
            ? [o.spec.template.spec]
            : o.kind === 'Pod'
              ? [o.spec]
              : [];
      return specs.flatMap((s: any) => s.containers);
    })
    .filter(c => c.image === image);
}

/** Executables a set of containers runs: commands, absolute /opt paths in args or shell scripts. */
function executablesUsed(containers: any[]): Set<string> {
  const used = new Set<string>();
  for (const c of containers) {
    if (c.command[0] === '/bin/sh') {
      for (const m of c.command[2].matchAll(/(\/opt\/\S+|\/usr\/\S+)/g)) used.add(m[1]);
    } else {
      used.add(c.command[0]);
    }
    for (const a of c.args ?? []) if (a.startsWith('/opt/') || a.startsWith('/usr/')) used.add(a);
  }
  return used;
}

const allObjects = [
  ...synthProfile('eks-efa'),
  ...synthProfile('openshift-efa'),
  ...synthProfile('baremetal-ipoib'),
  ...Object.values(PROFILE_VARIANTS['baremetal-ipoib']).flatMap(v => synthProfile('baremetal-ipoib', v)),
  ...Object.values(PROFILE_VARIANTS['eks-efa']).flatMap(v => synthProfile('eks-efa', v)),
];

function sshdChecks(d: ReturnType<typeof read>, containers: any[]) {
  const worker = containers.find(c => c.name === 'worker');
  expect(worker.args).toEqual(['-De', '-f', BENCHMARK_IMAGE.sshdConfig]);
  expect(d.text).toContain(`> ${BENCHMARK_IMAGE.sshdConfig}`);
  expect(d.text).toContain(`'Port ${BENCHMARK_IMAGE.sshPort}'`);
  expect(d.text).toContain(`'    Port ${BENCHMARK_IMAGE.sshPort}'`);
  expect(d.line(/^EXPOSE /)).toBe(`EXPOSE ${BENCHMARK_IMAGE.sshPort}`);
  expect(worker.ports[0].containerPort).toBe(BENCHMARK_IMAGE.sshPort);
  expect(worker.readinessProbe.tcpSocket.port).toBe(BENCHMARK_IMAGE.sshPort);
  expect(d.text).toContain(`useradd -m -u ${BENCHMARK_IMAGE.uid} -g ${BENCHMARK_IMAGE.uid}`);
  expect(d.line(/^USER /)).toBe(`USER ${BENCHMARK_IMAGE.uid}:${BENCHMARK_IMAGE.uid}`);
  expect(d.text).toContain(`'HostKey ${BENCHMARK_IMAGE.sshAuthMountPath}/id_rsa'`);
  expect(d.text).toContain(`'AuthorizedKeysFile ${BENCHMARK_IMAGE.sshAuthMountPath}/authorized_keys'`);
  for (const c of containers) expect(c.securityContext.runAsUser).toBe(BENCHMARK_IMAGE.uid);
}

describe('container/Dockerfile.openmpi provides what the jobs use', () => {
  const d = read('Dockerfile.openmpi');
  const containers = containersOf(allObjects, BENCHMARK_IMAGE.image);

  test('pinned versions match the image tag the jobs use', () => {
    expect(d.line(/^ARG EFA_INSTALLER_VERSION=/)).toBe(`ARG EFA_INSTALLER_VERSION=${BENCHMARK_IMAGE.efaInstallerVersion}`);
    expect(d.line(/^ARG OSU_VERSION=/)).toBe(`ARG OSU_VERSION=${BENCHMARK_IMAGE.osuVersion}`);
    expect(d.line(/^ARG BASE_IMAGE=/)).toMatch(/^ARG BASE_IMAGE=ubuntu:\d+\.\d+$/);
    expect(d.text).toContain(`-t <registry>/${BENCHMARK_IMAGE.image}`);
    expect(containers.length).toBeGreaterThan(5);
  });
  test('every executable a job runs is checked to exist by the build', () => {
    const used = executablesUsed(containers);
    for (const b of OSU_BENCHMARKS) used.add(`${isCollective(b) ? BENCHMARK_IMAGE.osuCollectiveDir : BENCHMARK_IMAGE.osuPt2ptDir}/${b}`);
    expect([...used].filter(p => !d.checked().includes(p))).toEqual([]);
    expect(d.text).toContain('--prefix=/opt/osu-micro-benchmarks');
  });
  test('sshd listens where the workers and their probe expect, as the image user', () => sshdChecks(d, containers));
});

describe('container/Dockerfile.intel provides what the Intel MPI job uses', () => {
  const d = read('Dockerfile.intel');
  const containers = containersOf(allObjects, INTEL_BENCHMARK_IMAGE.image);

  test('pinned versions match the image tag and the mpirun path the job uses', () => {
    expect(d.line(/^ARG EFA_INSTALLER_VERSION=/)).toBe(`ARG EFA_INSTALLER_VERSION=${INTEL_BENCHMARK_IMAGE.efaInstallerVersion}`);
    expect(d.line(/^ARG OSU_VERSION=/)).toBe(`ARG OSU_VERSION=${INTEL_BENCHMARK_IMAGE.osuVersion}`);
    expect(d.line(/^ARG INTEL_MPI_VERSION=/)).toBe(`ARG INTEL_MPI_VERSION=${INTEL_BENCHMARK_IMAGE.intelMpiVersion}`);
    expect(d.line(/^ARG INTEL_COMPILER_VERSION=/)).toBe(`ARG INTEL_COMPILER_VERSION=${INTEL_BENCHMARK_IMAGE.intelCompilerVersion}`);
    expect(d.text).toContain(`-t <registry>/${INTEL_BENCHMARK_IMAGE.image}`);
    expect(containers.map(c => c.name).sort()).toEqual(['launcher', 'worker']);
    // The launcher prints its marker line, then execs mpirun (the first argument).
    expect(containers.find(c => c.name === 'launcher').args[0]).toBe(INTEL_BENCHMARK_IMAGE.mpirun);
  });
  test("Intel MPI from the oneAPI repository, the EFA installer's libfabric (not --minimal), OSU with the Intel wrappers", () => {
    expect(d.text).toContain('https://apt.repos.intel.com/oneapi all main');
    expect(d.text).toContain('"intel-oneapi-mpi-devel-${INTEL_MPI_VERSION}"');
    // --minimal installs no libfabric and no fi_info (the installer's help): the jobs' I_MPI_OFI_LIBRARY_INTERNAL=0 needs both.
    expect(d.text).toContain('./efa_installer.sh -y --skip-kmod --skip-limit-conf --no-verify');
    expect(
      d.text
        .split('\n')
        .filter(l => /efa_installer\.sh/.test(l) && !l.trim().startsWith('#'))
        .join('\n'),
    ).not.toContain('--minimal');
    expect(d.text).toContain('/opt/amazon/efa/bin/fi_info --list | grep -qw efa');
    expect(d.text).toContain('./configure CC=mpiicx CXX=mpiicpx --prefix=/opt/osu-micro-benchmarks');
  });
  test('every executable the job runs is checked to exist by the build', () => {
    const used = executablesUsed(containers);
    for (const b of OSU_BENCHMARKS)
      used.add(`${isCollective(b) ? INTEL_BENCHMARK_IMAGE.osuCollectiveDir : INTEL_BENCHMARK_IMAGE.osuPt2ptDir}/${b}`);
    expect([...used].filter(p => !d.checked().includes(p))).toEqual([]);
  });
  test('sshd listens where the workers and their probe expect, as the image user', () => sshdChecks(d, containers));
});

describe('container/Dockerfile.ib provides what the InfiniBand workloads use', () => {
  const d = read('Dockerfile.ib');
  const containers = containersOf(allObjects, IB_BENCHMARK_IMAGE.image);

  test('pinned versions match the image tag the workloads use', () => {
    expect(d.line(/^ARG DEBIAN_RELEASE=/)).toBe(`ARG DEBIAN_RELEASE=${IB_BENCHMARK_IMAGE.debianRelease}`);
    expect(d.line(/^FROM /)).toBe('FROM debian:${DEBIAN_RELEASE}');
    expect(d.line(/^ARG OSU_VERSION=/)).toBe(`ARG OSU_VERSION=${IB_BENCHMARK_IMAGE.osuVersion}`);
    expect(d.text).toContain(`-t <registry>/${IB_BENCHMARK_IMAGE.image}`);
    expect(containers.map(c => c.name).sort()).toEqual(expect.arrayContaining(['ipoib-test', 'launcher', 'perftest', 'worker']));
  });
  test('rdma-core, perftest, Open MPI with its UCX PML checked at build, OSU built with it', () => {
    for (const pkg of ['rdma-core', 'ibverbs-providers', 'perftest', 'openmpi-bin', 'libopenmpi-dev', 'iproute2'])
      expect(d.text).toMatch(new RegExp(`\\s${pkg}\\s`));
    expect(d.text).toContain("ompi_info --parsable | grep -q '^mca:pml:ucx:'");
    expect(d.text).toContain('./configure CC=/usr/bin/mpicc CXX=/usr/bin/mpicxx --prefix=/opt/osu-micro-benchmarks');
  });
  test('every executable a workload runs is checked to exist by the build', () => {
    const used = executablesUsed(containers);
    expect(used).toEqual(
      new Set([
        '/usr/bin/mpirun',
        '/usr/sbin/sshd',
        '/usr/bin/ib_read_bw',
        '/usr/bin/ib_write_bw',
        `${IB_BENCHMARK_IMAGE.osuPt2ptDir}/osu_latency`,
        `${IB_BENCHMARK_IMAGE.osuPt2ptDir}/osu_bw`,
      ]),
    );
    expect([...used].filter(p => !d.checked().includes(p))).toEqual([]);
    // The test pod's script calls ls and ip.
    expect(d.checked()).toContain('/bin/ip');
  });
  test('sshd listens where the workers and their probe expect, as the image user', () =>
    sshdChecks(
      d,
      containers.filter(c => ['launcher', 'worker'].includes(c.name)),
    ));
});

describe.each([
  ['Dockerfile.nccl', NCCL_IMAGE, { EFA_INSTALLER_VERSION: NCCL_IMAGE.efaInstallerVersion, GDRCOPY_VERSION: NCCL_IMAGE.gdrcopyVersion }],
  ['Dockerfile.nccl-ib', NCCL_IB_IMAGE, {}],
] as const)('container/%s provides what the NCCL job uses', (file, image, extra) => {
  const d = read(file);
  const containers = containersOf(allObjects, image.image);
  if (file === 'Dockerfile.nccl-ib') {
    // The profiles' NCCL jobs over EFA use the other image; the IB job's containers come from the construct.
    const j = only(
      synth(s => new NcclTestJob(s, 'n', { transport: 'ib', gpusPerWorker: 8 })),
      'MPIJob',
    );
    containers.push(...Object.values(j.spec.mpiReplicaSpecs).map((r: any) => r.template.spec.containers[0]));
  }
  test('pinned versions match the image tag the job uses', () => {
    expect(d.line(/^ARG CUDA_VERSION=/)).toBe(`ARG CUDA_VERSION=${image.cudaVersion}`);
    expect(d.line(/^FROM /)).toBe('FROM nvcr.io/nvidia/cuda:${CUDA_VERSION}-devel-ubuntu22.04');
    expect(d.line(/^ARG NCCL_VERSION=/)).toBe(`ARG NCCL_VERSION=${image.ncclVersion}`);
    expect(d.line(/^ARG NCCL_TESTS_VERSION=/)).toBe(`ARG NCCL_TESTS_VERSION=${image.ncclTestsVersion}`);
    for (const [arg, value] of Object.entries(extra)) expect(d.line(new RegExp(`^ARG ${arg}=`))).toBe(`ARG ${arg}=${value}`);
    expect(d.text).toContain(`-t <registry>/${image.image}`);
    expect(containers.length).toBeGreaterThan(1);
  });
  test('every executable the job runs, and every collective, is checked to exist by the build', () => {
    const used = executablesUsed(containers);
    for (const c of NCCL_COLLECTIVES) used.add(`${image.testsDir}/${c}`);
    expect(used).toContain(image.mpirun);
    expect([...used].filter(p => !d.checked().includes(p))).toEqual([]);
    expect(d.text).toContain(
      `git clone --depth 1 --branch "\${NCCL_TESTS_VERSION}" https://github.com/NVIDIA/nccl-tests.git ${image.testsDir.replace(/\/build$/, '')}`,
    );
  });
  test('sshd listens where the workers and their probe expect, as the image user', () => sshdChecks(d, containers));
});
