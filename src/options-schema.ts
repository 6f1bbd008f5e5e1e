import baremetalIpoib from './data/options-schemas/baremetal-ipoib.json';
import eksEfa from './data/options-schemas/eks-efa.json';
import openshiftEfa from './data/options-schemas/openshift-efa.json';
import { RdmaOptionError } from './errors';
import { PROFILE_NAMES } from './profiles';

/**
 * The options JSON schema of each profile, generated from its TypeScript options interface by
 * scripts/options-schemas.ts (`npm run synth`). Values files and the Helm charts' values.schema.json use it.
 */
const SCHEMAS: Readonly<Record<string, Record<string, any>>> = {
  'baremetal-ipoib': baremetalIpoib,
  'eks-efa': eksEfa,
  'openshift-efa': openshiftEfa,
};

export function optionsSchema(profile: string): Record<string, any> {
  const schema = SCHEMAS[profile];
  if (!schema) throw new RdmaOptionError('cdk8s-rdma', 'profile', profile, 'is not a known profile', PROFILE_NAMES.join(', '));
  return schema;
}
