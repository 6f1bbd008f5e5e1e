import { App } from 'cdk8s';
import { BundleFile, KubeObject, renderBundle } from './output/bundle';
import { PROFILES, PROFILE_NAMES } from './profiles';
import { RdmaOptionError } from './errors';

/** The objects a profile synthesizes for the given options. */
export function synthProfile(profile: string, options: unknown = {}): KubeObject[] {
  const def = PROFILES[profile];
  if (!def) {
    throw new RdmaOptionError('cdk8s-rdma', 'profile', profile, 'is not a known profile', PROFILE_NAMES.join(', '));
  }
  // The app is never synthesized to disk: the bundle writer takes the chart's objects.
  const app = new App();
  const chart = def.create(app, options ?? {});
  return chart.toJson() as KubeObject[];
}

/** The files of dist/<profile>/ for the given options. */
export function bundleFor(profile: string, options: unknown = {}): BundleFile[] {
  return renderBundle({ profile, options: options ?? {}, objects: synthProfile(profile, options) });
}
