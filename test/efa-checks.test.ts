import { App, Chart } from 'cdk8s';
import { EfaInfoJob, EfaPingpongTest, PINGPONG_MESSAGE_SIZES, RUN_LABEL } from '../src/internal';
import { PINGPONG_SWEEP_MARKER } from '../src/constructs/efa-checks';
import { baseName, only, synth } from './helpers';

const RUN_ID = /^[0-9a-f]{8}$/;

describe('EfaInfoJob', () => {
  test('runs fi_info -p efa -t FI_EP_RDM in a pod holding an EFA device', () => {
    const j = only(
      synth(s => new EfaInfoJob(s, 'info')),
      'Job',
    );
    expect(j.metadata).toMatchObject({ namespace: 'rdma-benchmarks' });
    const c = j.spec.template.spec.containers[0];
    expect(c.command).toEqual(['/opt/amazon/efa/bin/fi_info']);
    expect(c.args).toEqual(['-p', 'efa', '-t', 'FI_EP_RDM']);
    expect(c.resources.limits['vpc.amazonaws.com/efa']).toBe('1');
    expect(j.spec.template.spec.restartPolicy).toBe('Never');
  });
  test('a one-shot check: named <name>-<run id>, labelled with the run, no version in its template, deleted a day after it finishes', () => {
    const j = only(
      synth(s => new EfaInfoJob(s, 'info')),
      'Job',
    );
    const run = j.metadata.labels[RUN_LABEL];
    expect(run).toMatch(RUN_ID);
    expect(j.metadata.name).toBe(`efa-fi-info-${run}`);
    expect(j.spec.template.metadata.labels[RUN_LABEL]).toBe(run);
    expect(j.spec.template.metadata.labels['app.kubernetes.io/version']).toBeUndefined();
    expect(j.metadata.labels['app.kubernetes.io/version']).toBeDefined();
    expect(j.spec.ttlSecondsAfterFinished).toBe(86400);
    // Same props, same run; other props, another run.
    expect(
      only(
        synth(s => new EfaInfoJob(s, 'info')),
        'Job',
      ).metadata.name,
    ).toBe(j.metadata.name);
    const other = only(
      synth(s => new EfaInfoJob(s, 'info', { efaDevices: 2 })),
      'Job',
    );
    expect(other.metadata.name).not.toBe(j.metadata.name);
    expect(baseName(other)).toBe('efa-fi-info');
    expect(
      only(
        synth(s => new EfaInfoJob(s, 'info', { ttlSecondsAfterFinished: 600 })),
        'Job',
      ).spec.ttlSecondsAfterFinished,
    ).toBe(600);
  });
  test('custom name and devices; errors', () => {
    const j = only(
      synth(s => new EfaInfoJob(s, 'info', { name: 'fi-info-p5', efaDevices: 32 })),
      'Job',
    );
    expect(baseName(j)).toBe('fi-info-p5');
    expect(j.spec.template.spec.containers[0].resources.requests['vpc.amazonaws.com/efa']).toBe('32');
    expect(() => synth(s => new EfaInfoJob(s, 'info', { efaDevices: 33 }))).toThrow(
      'EfaInfoJob: efaDevices 33 is not allowed; allowed: a whole number from 1 to 32',
    );
    expect(() => synth(s => new EfaInfoJob(s, 'info', { name: 'x'.repeat(55) }))).toThrow(
      `EfaInfoJob: name "${'x'.repeat(55)}" is too long for a check name; allowed: at most 54 characters (the run id adds 9)`,
    );
    expect(() => synth(s => new EfaInfoJob(s, 'info', { ttlSecondsAfterFinished: 0 }))).toThrow(
      'EfaInfoJob: ttlSecondsAfterFinished 0 is not allowed; allowed: a whole number of at least 1',
    );
  });
  test('the namespace of its Chart, unless a prop names one', () => {
    const app = new App();
    const chart = new Chart(app, 'c', { namespace: 'team-b', disableResourceNameHashes: true });
    new EfaInfoJob(chart, 'a');
    new EfaInfoJob(chart, 'b', { name: 'other', namespace: 'hpc' });
    expect(chart.toJson().map((o: any) => `${baseName(o)}.${o.metadata.namespace}`)).toEqual(['efa-fi-info.team-b', 'other.hpc']);
  });
});

describe('EfaPingpongTest', () => {
  const objs = synth(s => new EfaPingpongTest(s, 'pp'));
  const job = only(objs, 'Job', 'fi-pingpong');
  const run = job.metadata.labels[RUN_LABEL];

  test('one Indexed Job of two pods (server index 0, client index 1), named per run', () => {
    expect(run).toMatch(RUN_ID);
    expect(job.metadata.name).toBe(`fi-pingpong-${run}`);
    expect(job.spec).toMatchObject({
      completionMode: 'Indexed',
      completions: 2,
      parallelism: 2,
      backoffLimit: 0,
      ttlSecondsAfterFinished: 86400,
    });
    expect(job.spec.template.metadata.labels['app.kubernetes.io/version']).toBeUndefined();
  });
  test("a headless Service of a stable name selects this run's pods; pods resolve as <job>-<index>.<service>", () => {
    const svc = only(objs, 'Service');
    expect(svc.metadata.name).toBe('fi-pingpong');
    expect(svc.spec.clusterIP).toBe('None');
    expect(svc.spec.publishNotReadyAddresses).toBe(true);
    expect(svc.spec.selector).toEqual({ 'app.kubernetes.io/instance': 'test', 'app.kubernetes.io/name': 'fi-pingpong', [RUN_LABEL]: run });
    expect(job.spec.template.spec.subdomain).toBe('fi-pingpong');
    expect(job.spec.template.metadata.labels).toMatchObject(svc.spec.selector);
  });
  test('index 0 serves, index 1 connects, both sweep the published sizes with 1,000,000 iterations over EFA RDM', () => {
    expect(PINGPONG_MESSAGE_SIZES).toEqual([4, 16, 64, 256, 1024, 10240, 51200, 102400]);
    const container = job.spec.template.spec.containers[0];
    const script = container.command[2];
    expect(container.env).toEqual([
      { name: 'FI_PINGPONG', value: '/opt/amazon/efa/bin/fi_pingpong' },
      { name: 'PINGPONG_PROVIDER', value: 'efa' },
      { name: 'PINGPONG_SERVER', value: `fi-pingpong-${run}-0.fi-pingpong.rdma-benchmarks.svc` },
    ]);
    // The log describes itself: the marker line first (exact sizes), then -v's prov_name: per size.
    expect(script).toContain(
      `echo "${PINGPONG_SWEEP_MARKER} role=$role provider=$PINGPONG_PROVIDER endpoint=rdm iterations=1000000 sizes=4,16,64,256,1024,10240,51200,102400"`,
    );
    expect(script).toContain('for size in 4 16 64 256 1024 10240 51200 102400; do');
    expect(script).toContain('  if [ "$role" = server ]; then\n    "$FI_PINGPONG" -p "$PINGPONG_PROVIDER" -e rdm -I 1000000 -S "$size"\n');
    expect(script).toContain(
      '    until out=$("$FI_PINGPONG" -p "$PINGPONG_PROVIDER" -e rdm -I 1000000 -S "$size" -v "$PINGPONG_SERVER" 2>&1); do',
    );
    expect(script).toContain("grep -e '^\\[error\\]' -e '^\\[warn' -e 'prov_name:' -e '^bytes' -e '^[0-9]' || true");
  });
  test('server and client are kept on different nodes', () => {
    const anti = {
      labelSelector: { matchLabels: { 'app.kubernetes.io/instance': 'test', 'app.kubernetes.io/name': 'fi-pingpong', [RUN_LABEL]: run } },
      topologyKey: 'kubernetes.io/hostname',
    };
    expect(job.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([anti]);
    expect(job.spec.template.metadata.labels).toMatchObject(anti.labelSelector.matchLabels);
    expect(job.spec.template.spec.containers[0].resources.limits['vpc.amazonaws.com/efa']).toBe('1');
  });
  test('custom sizes and iterations; errors', () => {
    const custom = synth(s => new EfaPingpongTest(s, 'pp', { name: 'pp', messageSizes: [8, 4096], iterations: 1000, namespace: 'hpc' }));
    const j = only(custom, 'Job', 'pp');
    const cmd = j.spec.template.spec.containers[0].command[2];
    expect(cmd).toContain('for size in 8 4096; do');
    expect(cmd).toContain('-I 1000 -S "$size" -v "$PINGPONG_SERVER"');
    expect(cmd).toContain('iterations=1000 sizes=8,4096"');
    expect(j.spec.template.spec.containers[0].env).toContainEqual({ name: 'PINGPONG_SERVER', value: `${j.metadata.name}-0.pp.hpc.svc` });
    expect(() => synth(s => new EfaPingpongTest(s, 'pp', { messageSizes: [] }))).toThrow(
      'EfaPingpongTest: messageSizes [] is empty; allowed: a list of message sizes in bytes, e.g. [4, 16, 64]',
    );
    expect(() => synth(s => new EfaPingpongTest(s, 'pp', { messageSizes: [4, 0] }))).toThrow(
      'EfaPingpongTest: messageSizes[1] 0 is not allowed; allowed: a whole number of at least 1',
    );
    expect(() => synth(s => new EfaPingpongTest(s, 'pp', { iterations: 0 }))).toThrow('EfaPingpongTest: iterations 0 is not allowed');
    expect(() => synth(s => new EfaPingpongTest(s, 'pp', { name: 'p'.repeat(53) }))).toThrow(
      'is too long for a check name; allowed: at most 52 characters (the run id adds 9, the controller 2)',
    );
  });
});

describe('EFA checks with deviceClaimTemplate (DRA)', () => {
  test('the pods claim from the template and request no vpc.amazonaws.com/efa; huge pages, memory and CPU stay', () => {
    for (const j of [
      only(
        synth(s => new EfaInfoJob(s, 'info', { deviceClaimTemplate: 'efa-devices' })),
        'Job',
      ),
      only(
        synth(s => new EfaPingpongTest(s, 'pp', { deviceClaimTemplate: 'efa-devices', efaDevices: 4 })),
        'Job',
      ),
    ]) {
      const spec = j.spec.template.spec;
      expect(spec.resourceClaims).toEqual([{ name: 'rdma-devices', resourceClaimTemplateName: 'efa-devices' }]);
      expect(spec.containers[0].resources).toEqual({
        claims: [{ name: 'rdma-devices' }],
        limits: { cpu: '2', 'hugepages-2Mi': '5120Mi', memory: '8Gi' },
        requests: { cpu: '2', 'hugepages-2Mi': '5120Mi', memory: '8Gi' },
      });
    }
  });
  test('an invalid template name is refused', () => {
    expect(() => synth(s => new EfaInfoJob(s, 'info', { deviceClaimTemplate: 'EFA_Devices' }))).toThrow(
      'EfaInfoJob: deviceClaimTemplate "EFA_Devices" is not a valid name',
    );
  });
});
