import { EfaInfoJob, EfaPingpongTest, PINGPONG_MESSAGE_SIZES } from '../src';
import { only, synth } from './helpers';

describe('EfaInfoJob', () => {
  test('runs fi_info -p efa -t FI_EP_RDM in a pod holding an EFA device', () => {
    const j = only(synth(s => new EfaInfoJob(s, 'info')), 'Job');
    expect(j.metadata).toMatchObject({ name: 'efa-fi-info', namespace: 'rdma-benchmarks' });
    const c = j.spec.template.spec.containers[0];
    expect(c.command).toEqual(['/opt/amazon/efa/bin/fi_info']);
    expect(c.args).toEqual(['-p', 'efa', '-t', 'FI_EP_RDM']);
    expect(c.resources.limits['vpc.amazonaws.com/efa']).toBe('1');
    expect(j.spec.template.spec.restartPolicy).toBe('Never');
  });
  test('custom name and devices; errors', () => {
    const j = only(synth(s => new EfaInfoJob(s, 'info', { name: 'fi-info-p5', efaDevices: 32 })), 'Job');
    expect(j.metadata.name).toBe('fi-info-p5');
    expect(j.spec.template.spec.containers[0].resources.requests['vpc.amazonaws.com/efa']).toBe('32');
    expect(() => synth(s => new EfaInfoJob(s, 'info', { efaDevices: 33 }))).toThrow('EfaInfoJob: efaDevices 33 is not allowed; allowed: a whole number from 1 to 32');
  });
});

describe('EfaPingpongTest', () => {
  const objs = synth(s => new EfaPingpongTest(s, 'pp'));
  const server = only(objs, 'Job', 'fi-pingpong-server');
  const client = only(objs, 'Job', 'fi-pingpong-client');

  test('a headless Service names the server pod', () => {
    const svc = only(objs, 'Service');
    expect(svc.spec.clusterIP).toBe('None');
    expect(svc.spec.selector).toEqual({ 'app.kubernetes.io/instance': 'test', 'app.kubernetes.io/name': 'fi-pingpong', 'app.kubernetes.io/component': 'fi-pingpong-server' });
    expect(server.spec.template.spec).toMatchObject({ hostname: 'fi-pingpong-server', subdomain: 'fi-pingpong' });
    expect(server.spec.template.metadata.labels).toMatchObject(svc.spec.selector);
  });
  test('server and client sweep the published sizes with 1,000,000 iterations over EFA RDM', () => {
    expect(PINGPONG_MESSAGE_SIZES).toEqual([4, 16, 64, 256, 1024, 10240, 51200, 102400]);
    const s = server.spec.template.spec.containers[0].command[2];
    const c = client.spec.template.spec.containers[0].command[2];
    expect(s).toContain('for size in 4 16 64 256 1024 10240 51200 102400; do');
    expect(s).toContain('/opt/amazon/efa/bin/fi_pingpong -p efa -e rdm -I 1000000 -S "$size"');
    expect(c).toContain('/opt/amazon/efa/bin/fi_pingpong -p efa -e rdm -I 1000000 -S "$size" fi-pingpong-server.fi-pingpong.rdma-benchmarks.svc');
  });
  test('server and client are kept on different nodes', () => {
    const anti = { labelSelector: { matchLabels: { 'app.kubernetes.io/instance': 'test', 'app.kubernetes.io/name': 'fi-pingpong' } }, topologyKey: 'kubernetes.io/hostname' };
    for (const j of [server, client]) {
      expect(j.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([anti]);
      expect(j.spec.template.metadata.labels).toMatchObject(anti.labelSelector.matchLabels);
      expect(j.spec.template.spec.containers[0].resources.limits['vpc.amazonaws.com/efa']).toBe('1');
    }
  });
  test('custom sizes and iterations; errors', () => {
    const custom = synth(s => new EfaPingpongTest(s, 'pp', { name: 'pp', messageSizes: [8, 4096], iterations: 1000, namespace: 'hpc' }));
    const cmd = only(custom, 'Job', 'pp-client').spec.template.spec.containers[0].command[2];
    expect(cmd).toContain('for size in 8 4096; do');
    expect(cmd).toContain('-I 1000 -S "$size" pp-server.pp.hpc.svc');
    expect(() => synth(s => new EfaPingpongTest(s, 'pp', { messageSizes: [] }))).toThrow('EfaPingpongTest: messageSizes [] is empty; allowed: a list of message sizes in bytes, e.g. [4, 16, 64]');
    expect(() => synth(s => new EfaPingpongTest(s, 'pp', { messageSizes: [4, 0] }))).toThrow('EfaPingpongTest: messageSizes[1] 0 is not allowed; allowed: a whole number of at least 1');
    expect(() => synth(s => new EfaPingpongTest(s, 'pp', { iterations: 0 }))).toThrow('EfaPingpongTest: iterations 0 is not allowed');
  });
});
