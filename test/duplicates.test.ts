import { App, Chart } from 'cdk8s';
import {
  EfaDevicePlugin,
  EksEfaProfile,
  IpoibNetwork,
  MpiLatencyJob,
  MpiOperator,
  Multus,
  RdmaDevicePlugin,
  Whereabouts,
} from '../src/internal';
import { baseName } from './helpers';

describe('two constructs that emit the same object fail the synth, naming both', () => {
  test('the same DaemonSet twice in one chart', () => {
    const app = new App();
    const chart = new Chart(app, 'hpc', { disableResourceNameHashes: true });
    new EfaDevicePlugin(chart, 'efa');
    new EfaDevicePlugin(chart, 'efa-again');
    expect(() => chart.toJson()).toThrow(
      'cdk8s-rdma: DaemonSet kube-system/aws-efa-k8s-device-plugin is emitted twice, by hpc/efa/Resource and by hpc/efa-again/Resource; give one of them another name or namespace, or remove one',
    );
  });
  test("a profile and a construct of the user's in another chart of the same app", () => {
    // toJson() validates the whole app, as app.synth() does, without writing files.
    const app = new App();
    const profile = new EksEfaProfile(app, 'eks-efa');
    const mine = new Chart(app, 'mine', { disableResourceNameHashes: true });
    // The user's MPIJob does not clash with the profile's: check names carry the run id of what they run.
    new MpiLatencyJob(mine, 'lat', { image: 'registry.example.com/efa-openmpi:1.0.0' });
    expect(() => profile.toJson()).not.toThrow();
    new EfaDevicePlugin(mine, 'plugin');
    expect(() => mine.toJson()).toThrow(
      'cdk8s-rdma: DaemonSet kube-system/aws-efa-k8s-device-plugin is emitted twice, by eks-efa/DevicePlugin/Resource and by mine/plugin/Resource',
    );
  });
  test('same name in other namespaces, or other kinds, is fine', () => {
    const app = new App();
    const chart = new Chart(app, 'hpc', { disableResourceNameHashes: true });
    new EfaDevicePlugin(chart, 'a');
    new EfaDevicePlugin(chart, 'b', { namespace: 'efa-system' });
    expect(chart.toJson().map((o: any) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'kube-system/aws-efa-k8s-device-plugin',
      'efa-system/aws-efa-k8s-device-plugin',
    ]);
  });
});

test('namespaced constructs take the namespace of their Chart unless a prop names one', () => {
  const app = new App();
  const chart = new Chart(app, 'team', { namespace: 'team-b', disableResourceNameHashes: true });
  new EfaDevicePlugin(chart, 'plugin');
  new MpiOperator(chart, 'op', { createNamespace: false, installCrd: false });
  new MpiLatencyJob(chart, 'lat');
  new MpiLatencyJob(chart, 'lat-tcp', { transport: 'tcp', namespace: 'hpc' });
  new Multus(chart, 'multus');
  new Whereabouts(chart, 'wh');
  new RdmaDevicePlugin(chart, 'rdma');
  new IpoibNetwork(chart, 'net', { master: 'ib0', ipam: { range: '192.168.0.0/24' } });
  const namespaces = new Set(
    chart
      .toJson()
      .filter((o: any) => o.metadata.namespace !== undefined)
      .map((o: any) => `${o.kind}/${baseName(o)}=${o.metadata.namespace}`),
  );
  const elsewhere = [...namespaces].filter(n => !n.endsWith('=team-b'));
  expect(elsewhere).toEqual(['MPIJob/osu-latency-tcp=hpc']);
  expect(namespaces.size).toBeGreaterThan(8);
});
