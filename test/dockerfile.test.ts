import { readFileSync } from 'fs';
import { join } from 'path';
import { BENCHMARK_IMAGE, OSU_BENCHMARKS, synthProfile } from '../src';

const dockerfile = readFileSync(join(__dirname, '..', 'container', 'Dockerfile.openmpi'), 'utf8');
const line = (re: RegExp) => dockerfile.split('\n').find(l => re.test(l));

/** Executables the Dockerfile's final check asserts exist (`test -x` loop). */
function checkedExecutables(): string[] {
  const start = dockerfile.indexOf('RUN for f in ');
  const loop = dockerfile.slice(start, dockerfile.indexOf('; do', start));
  return loop.replace('RUN for f in ', '').replace(/\\\n/g, ' ').split(/\s+/).filter(Boolean);
}

describe('container/Dockerfile.openmpi provides what the jobs use', () => {
  const objs = synthProfile('eks-efa');
  const containers = objs.flatMap(o => {
    const specs = o.kind === 'MPIJob' ? Object.values(o.spec.mpiReplicaSpecs).map((r: any) => r.template.spec)
      : o.kind === 'Job' ? [o.spec.template.spec] : [];
    return specs.flatMap((s: any) => s.containers);
  });

  test('pinned versions match the image tag the jobs use', () => {
    expect(line(/^ARG EFA_INSTALLER_VERSION=/)).toBe(`ARG EFA_INSTALLER_VERSION=${BENCHMARK_IMAGE.efaInstallerVersion}`);
    expect(line(/^ARG OSU_VERSION=/)).toBe(`ARG OSU_VERSION=${BENCHMARK_IMAGE.osuVersion}`);
    expect(line(/^ARG BASE_IMAGE=/)).toMatch(/^ARG BASE_IMAGE=ubuntu:\d+\.\d+$/);
    expect(dockerfile).toContain(`-t <registry>/${BENCHMARK_IMAGE.image}`);
    expect(containers.every(c => c.image === BENCHMARK_IMAGE.image)).toBe(true);
  });
  test('every executable a job runs is checked to exist by the build', () => {
    const used = new Set<string>();
    for (const c of containers) {
      if (c.command[0] === '/bin/sh') {
        for (const m of c.command[2].matchAll(/(\/opt\/\S+|\/usr\/\S+)/g)) used.add(m[1]);
      } else {
        used.add(c.command[0]);
      }
      for (const a of c.args ?? []) if (a.startsWith('/opt/')) used.add(a);
    }
    for (const b of OSU_BENCHMARKS) used.add(`${BENCHMARK_IMAGE.osuPt2ptDir}/${b}`);
    const checked = checkedExecutables();
    expect([...used].filter(p => !checked.includes(p))).toEqual([]);
    expect(dockerfile).toContain('--prefix=/opt/osu-micro-benchmarks');
  });
  test('sshd listens where the workers and their probe expect, as the image user', () => {
    const worker = containers.find(c => c.name === 'worker');
    expect(worker.args).toEqual(['-De', '-f', BENCHMARK_IMAGE.sshdConfig]);
    expect(dockerfile).toContain(`> ${BENCHMARK_IMAGE.sshdConfig}`);
    expect(dockerfile).toContain(`'Port ${BENCHMARK_IMAGE.sshPort}'`);
    expect(dockerfile).toContain(`'    Port ${BENCHMARK_IMAGE.sshPort}'`);
    expect(line(/^EXPOSE /)).toBe(`EXPOSE ${BENCHMARK_IMAGE.sshPort}`);
    expect(worker.ports[0].containerPort).toBe(BENCHMARK_IMAGE.sshPort);
    expect(worker.readinessProbe.tcpSocket.port).toBe(BENCHMARK_IMAGE.sshPort);
    expect(dockerfile).toContain(`useradd -m -u ${BENCHMARK_IMAGE.uid} -g ${BENCHMARK_IMAGE.uid}`);
    expect(line(/^USER /)).toBe(`USER ${BENCHMARK_IMAGE.uid}:${BENCHMARK_IMAGE.uid}`);
    expect(dockerfile).toContain(`'HostKey ${BENCHMARK_IMAGE.sshAuthMountPath}/id_rsa'`);
    expect(dockerfile).toContain(`'AuthorizedKeysFile ${BENCHMARK_IMAGE.sshAuthMountPath}/authorized_keys'`);
    for (const c of containers) expect(c.securityContext.runAsUser).toBe(BENCHMARK_IMAGE.uid);
  });
});
