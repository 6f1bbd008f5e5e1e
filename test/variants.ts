/** Option sets per profile that change the shape of the output; conformance validates them too. */
export const PROFILE_VARIANTS: Record<string, Record<string, unknown>> = {
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
  },
};
