import { synthProfile } from '../src/internal';
import { checkResources, checkTolerations } from '../src/validate';

/** Values the API server (or a CRD) would reject are refused at synth, with one line naming the option. */
describe('what the API server refuses is refused at synth', () => {
  const eks = (options: object) => () => synthProfile('eks-efa', options);
  test("quantities in resources: the API server's quantity syntax, requests at most limits", () => {
    expect(eks({ devicePlugin: { resources: { requests: { memory: 'lots' } } } })).toThrow(
      'eks-efa: devicePlugin.resources.requests.memory "lots" is not a quantity; allowed: a non-negative Kubernetes quantity such as "100m", "20Mi" or "2"',
    );
    expect(eks({ devicePlugin: { resources: { limits: { memory: 'x y' } } } })).toThrow(
      'eks-efa: devicePlugin.resources.limits.memory "x y" is not a quantity',
    );
    expect(eks({ devicePlugin: { resources: { requests: { memory: '200Mi' }, limits: { memory: '100Mi' } } } })).toThrow(
      'eks-efa: devicePlugin.resources.requests.memory "200Mi" is more than its limit 100Mi; allowed: at most 100Mi (the API server refuses a request above its limit)',
    );
    expect(eks({ mpiOperator: { resources: { requests: { 'bad name!': '1' } } } })).toThrow(
      'eks-efa: mpiOperator.resources.requests "bad name!" is not a resource name',
    );
    expect(eks({ devicePlugin: { resources: { requests: { cpu: '10m', memory: '1e3' }, limits: { memory: '1.5Ki' } } } })).not.toThrow();
  });
  test('tolerations: key required unless Exists, no value with Exists, tolerationSeconds only with NoExecute, valid key and value', () => {
    expect(eks({ benchmarks: { tolerations: [{ operator: 'Equal', value: 'x' }] } })).toThrow(
      'eks-efa: benchmarks.tolerations[0].key (unset) is required with operator "Equal"; allowed: a taint key, or operator "Exists" to tolerate every taint',
    );
    expect(eks({ benchmarks: { tolerations: [{ key: 'a', operator: 'Exists', value: 'x' }] } })).toThrow(
      'eks-efa: benchmarks.tolerations[0].value "x" cannot be set with operator "Exists"; allowed: unset, or operator "Equal"',
    );
    expect(eks({ devicePlugin: { tolerations: [{ key: 'a', effect: 'NoSchedule', tolerationSeconds: 5 }] } })).toThrow(
      'eks-efa: devicePlugin.tolerations[0].tolerationSeconds 5 only applies to effect "NoExecute"; allowed: unset, or effect "NoExecute"',
    );
    expect(eks({ benchmarks: { tolerations: [{ key: '../x', operator: 'Exists' }] } })).toThrow(
      'eks-efa: benchmarks.tolerations[0].key "../x" is not a valid label key',
    );
    expect(eks({ benchmarks: { tolerations: [{ key: 'a', value: 'x y' }] } })).toThrow(
      'eks-efa: benchmarks.tolerations[0].value "x y" is not a valid label value',
    );
    expect(
      eks({
        benchmarks: {
          tolerations: [{ operator: 'Exists' }, { key: 'gpu', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }],
        },
      }),
    ).not.toThrow();
    expect(() => synthProfile('baremetal-ipoib', { benchmarks: { tolerations: [{ operator: 'Equal' }] } })).toThrow(
      'baremetal-ipoib: benchmarks.tolerations[0].key (unset) is required with operator "Equal"',
    );
    expect(() =>
      synthProfile('baremetal-ipoib', { mode: 'operator', operator: { tolerations: [{ key: 'a', operator: 'Exists', value: 'b' }] } }),
    ).toThrow('baremetal-ipoib: operator.tolerations[0].value "b" cannot be set with operator "Exists"');
  });
  test("annotations: at most 256 KiB in all (the API server's TotalAnnotationSizeLimitB)", () => {
    const big = { 'example.com/a': 'x'.repeat(200 * 1024), 'example.com/b': 'y'.repeat(100 * 1024) };
    expect(eks({ devicePlugin: { podAnnotations: big } })).toThrow(
      'eks-efa: devicePlugin.podAnnotations "307226 bytes" is more than the API server accepts for all annotations of an object; allowed: at most 262144 bytes',
    );
    expect(eks({ devicePlugin: { podAnnotations: { 'example.com/a': 'x'.repeat(1000) } } })).not.toThrow();
  });
  test('the checks on their own', () => {
    expect(() => checkResources('X', 'resources', { requests: { cpu: '-1' } })).toThrow('X: resources.requests.cpu "-1" is not a quantity');
    expect(() => checkTolerations('X', 'tolerations', [{ operator: 'Always' }])).toThrow(
      'X: tolerations[0].operator "Always" is not a toleration operator; allowed: "Equal" or "Exists"',
    );
    expect(() => checkTolerations('X', 'tolerations', [{ key: 'a', effect: 'NoRun' }])).toThrow(
      'X: tolerations[0].effect "NoRun" is not a taint effect',
    );
  });
});
