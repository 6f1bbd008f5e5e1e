import {
  IpoibNetwork,
  NETWORKS_ANNOTATION,
  cidrContains,
  formatIp,
  networkOf,
  networksAnnotation,
  parseCidr,
  parseIp,
} from '../src/internal';
import { only, synth } from './helpers';

const nad = (props: object = {}) =>
  only(
    synth(s => new IpoibNetwork(s, 'Net', props)),
    'NetworkAttachmentDefinition',
  );
const config = (props: object = {}) => JSON.parse(nad(props).spec.config);

describe('IP and CIDR parsing', () => {
  test('IPv4 and IPv6 addresses round-trip', () => {
    expect(formatIp(parseIp('192.168.0.1')!)).toBe('192.168.0.1');
    expect(formatIp(parseIp('fd00:0:0:0:0:0:0:1')!)).toBe('fd00::1');
    expect(formatIp(parseIp('::ffff:192.0.2.1')!)).toBe('::ffff:c000:201');
    expect(parseIp('256.1.1.1')).toBeUndefined();
    expect(parseIp('01.1.1.1')).toBeUndefined();
    expect(parseIp('fd00::1::2')).toBeUndefined();
    expect(parseIp('1:2:3:4:5:6:7:8:9')).toBeUndefined();
  });
  test('CIDR ranges: syntax, host bits, containment', () => {
    expect(parseCidr('192.168.0.0/24')).toMatchObject({ family: 4, prefix: 24 });
    expect(parseCidr('192.168.0.0')).toBe('syntax');
    expect(parseCidr('192.168.0.0/33')).toBe('syntax');
    expect(parseCidr('192.168.0.0/024')).toBe('syntax');
    expect(parseCidr('192.168.0.5/24')).toBe('host-bits');
    expect(networkOf('192.168.0.5/24')).toBe('192.168.0.0/24');
    expect(networkOf('fd00::5/64')).toBe('fd00::/64');
    const r = parseCidr('10.0.0.0/16') as any;
    expect(cidrContains(r, parseIp('10.0.255.255')!)).toBe(true);
    expect(cidrContains(r, parseIp('10.1.0.0')!)).toBe(false);
    expect(cidrContains(r, parseCidr('10.0.4.0/24') as any)).toBe(true);
    expect(cidrContains(r, parseIp('fd00::1')!)).toBe(false);
  });
});

describe('IpoibNetwork', () => {
  test('defaults: NAD ipoib in rdma-benchmarks, CNI type ipoib on ib0, whereabouts on 192.168.0.0/24 (every key)', () => {
    const n = nad();
    expect(n.apiVersion).toBe('k8s.cni.cncf.io/v1');
    expect(n.metadata).toMatchObject({ name: 'ipoib', namespace: 'rdma-benchmarks' });
    expect(Object.keys(n.spec)).toEqual(['config']);
    expect(JSON.parse(n.spec.config)).toStrictEqual({
      cniVersion: '0.3.1',
      name: 'ipoib',
      type: 'ipoib',
      master: 'ib0',
      ipam: { type: 'whereabouts', range: '192.168.0.0/24' },
    });
  });
  test('custom props: every IPAM key, IPv6, CNI version', () => {
    expect(
      config({
        name: 'fabric-a',
        namespace: 'hpc',
        master: 'ib1',
        cniVersion: '1.0.0',
        ipam: {
          range: '10.56.0.0/16',
          rangeStart: '10.56.1.1',
          rangeEnd: '10.56.9.254',
          exclude: ['10.56.2.0/24', '10.56.3.7/32'],
          gateway: '10.56.0.1',
          configurationPath: '/etc/k8s/cni/whereabouts.d/whereabouts.conf',
        },
      }),
    ).toStrictEqual({
      cniVersion: '1.0.0',
      name: 'fabric-a',
      type: 'ipoib',
      master: 'ib1',
      ipam: {
        type: 'whereabouts',
        range: '10.56.0.0/16',
        range_start: '10.56.1.1',
        range_end: '10.56.9.254',
        exclude: ['10.56.2.0/24', '10.56.3.7/32'],
        gateway: '10.56.0.1',
        configuration_path: '/etc/k8s/cni/whereabouts.d/whereabouts.conf',
      },
    });
    expect(config({ ipam: { range: 'fd00:ab::/64', gateway: 'fd00:ab::1' } }).ipam).toStrictEqual({
      type: 'whereabouts',
      range: 'fd00:ab::/64',
      gateway: 'fd00:ab::1',
    });
  });
  test('error messages', () => {
    const err = (props: object) => () => nad(props);
    expect(err({ ipam: { range: '192.168.0/24' } })).toThrow(
      'IpoibNetwork: ipam.range "192.168.0/24" is not a CIDR range; allowed: an IPv4 or IPv6 network in CIDR notation, e.g. "192.168.0.0/24"',
    );
    expect(err({ ipam: { range: '192.168.0.0' } })).toThrow('ipam.range "192.168.0.0" is not a CIDR range');
    expect(err({ ipam: { range: '192.168.0.7/24' } })).toThrow(
      'IpoibNetwork: ipam.range "192.168.0.7/24" is not a network address (host bits are set); allowed: the network "192.168.0.0/24", with rangeStart to begin later in it',
    );
    expect(err({ ipam: { range: '192.168.0.0/31' } })).toThrow(
      'ipam.range "192.168.0.0/31" leaves fewer than two addresses for pods; allowed: a prefix length of at most 30',
    );
    expect(err({ ipam: { range: '192.168.0.0/24', gateway: '192.168.1.1' } })).toThrow(
      'IpoibNetwork: ipam.gateway "192.168.1.1" is outside the range 192.168.0.0/24; allowed: an address inside 192.168.0.0/24',
    );
    expect(err({ ipam: { range: '192.168.0.0/24', gateway: 'fd00::1' } })).toThrow(
      'ipam.gateway "fd00::1" is outside the range 192.168.0.0/24',
    );
    expect(err({ ipam: { range: '192.168.0.0/24', rangeStart: '192.168.0.300' } })).toThrow(
      'IpoibNetwork: ipam.rangeStart "192.168.0.300" is not an IP address; allowed: an address inside the range 192.168.0.0/24',
    );
    expect(err({ ipam: { range: '192.168.0.0/24', rangeEnd: '10.0.0.1' } })).toThrow(
      'ipam.rangeEnd "10.0.0.1" is outside the range 192.168.0.0/24',
    );
    expect(err({ ipam: { range: '192.168.0.0/24', rangeStart: '192.168.0.100', rangeEnd: '192.168.0.10' } })).toThrow(
      'IpoibNetwork: ipam.rangeEnd "192.168.0.10" is before rangeStart 192.168.0.100; allowed: an address from 192.168.0.100 to the end of 192.168.0.0/24',
    );
    expect(err({ ipam: { range: '192.168.0.0/24', exclude: ['192.168.0.0/23'] } })).toThrow(
      'IpoibNetwork: ipam.exclude[0] "192.168.0.0/23" is outside the range 192.168.0.0/24; allowed: a CIDR inside 192.168.0.0/24',
    );
    expect(err({ ipam: { range: '192.168.0.0/24', exclude: ['192.168.0.9'] } })).toThrow(
      'ipam.exclude[0] "192.168.0.9" is not a CIDR range',
    );
    expect(err({ ipam: { range: '192.168.0.0/24', configurationPath: 'whereabouts.conf' } })).toThrow(
      'ipam.configurationPath "whereabouts.conf" is not an absolute path',
    );
    expect(err({ master: '' })).toThrow(
      'IpoibNetwork: master "" is empty; allowed: a network interface name such as "ib0" (1 to 15 characters)',
    );
    expect(err({ master: 'ib0 ' })).toThrow('IpoibNetwork: master "ib0 " is not a valid interface name');
    expect(err({ master: 'infiniband-port0' })).toThrow('master "infiniband-port0" is not a valid interface name');
    expect(err({ cniVersion: '0.2.0' })).toThrow(
      'IpoibNetwork: cniVersion "0.2.0" is not a known choice; allowed: "0.3.0", "0.3.1", "0.4.0", "1.0.0"',
    );
    expect(err({ name: 'IPoIB' })).toThrow('IpoibNetwork: name "IPoIB" is not a valid name');
  });
});

describe('networksAnnotation', () => {
  test('text form: namespace/name@interface, comma-separated', () => {
    expect(networksAnnotation([{ name: 'ipoib' }])).toEqual({ [NETWORKS_ANNOTATION]: 'ipoib' });
    expect(networksAnnotation([{ name: 'ipoib', namespace: 'hpc', interface: 'ib0' }, { name: 'other' }], 'text')).toEqual({
      'k8s.v1.cni.cncf.io/networks': 'hpc/ipoib@ib0, other',
    });
  });
  test('JSON form: network selection elements with every given key', () => {
    const a = networksAnnotation(
      [{ name: 'ipoib', namespace: 'hpc', interface: 'ib0', ips: ['192.168.0.10/24'], defaultRoute: ['192.168.0.1'] }, { name: 'b' }],
      'json',
    );
    expect(JSON.parse(a[NETWORKS_ANNOTATION])).toStrictEqual([
      { name: 'ipoib', namespace: 'hpc', interface: 'ib0', ips: ['192.168.0.10/24'], 'default-route': ['192.168.0.1'] },
      { name: 'b' },
    ]);
  });
  test('the construct gives its own annotation in both forms', () => {
    let net!: IpoibNetwork;
    synth(s => {
      net = new IpoibNetwork(s, 'Net', { name: 'fabric', namespace: 'hpc' });
    });
    expect(net.annotation()).toEqual({ [NETWORKS_ANNOTATION]: 'hpc/fabric' });
    expect(JSON.parse(net.annotation('json', { interface: 'ib1' })[NETWORKS_ANNOTATION])).toEqual([
      { name: 'fabric', namespace: 'hpc', interface: 'ib1' },
    ]);
  });
  test('error messages', () => {
    expect(() => networksAnnotation([])).toThrow('networksAnnotation: selections [] is empty; allowed: at least one network');
    expect(() => networksAnnotation([{ name: 'a', ips: ['10.0.0.1'] }])).toThrow(
      'networksAnnotation: format "text" cannot express ips or defaultRoute (selections[0]); allowed: "json"',
    );
    expect(() => networksAnnotation([{ name: 'a' }], 'yaml' as any)).toThrow(
      'networksAnnotation: format "yaml" is not a known choice; allowed: "text", "json"',
    );
    expect(() => networksAnnotation([{ name: 'a', ips: ['10.0.0.300'] }], 'json')).toThrow(
      'selections[0].ips[0] "10.0.0.300" is not an IP address',
    );
    expect(() => networksAnnotation([{ name: 'a', interface: 'a/b' }])).toThrow(
      'selections[0].interface "a/b" is not a valid interface name',
    );
  });
});
