import { App } from 'cdk8s';
import { PROFILES, PROFILE_NAMES } from './profiles';

/**
 * The cdk8s app (cdk8s.yaml `app`): every profile with its default options, each in an app of its own (the
 * profiles are alternatives for different clusters: together they would emit the same mpi-operator and
 * benchmark namespace twice, which the duplicate check refuses). `cdk8s synth` writes one file per chart to
 * cdk8s.out/ (the platform and the nested checks chart, with names cdk8s chooses); `npm run synth` writes the
 * ordered bundles in dist/ from the same charts.
 */
for (const name of PROFILE_NAMES) {
  const app = new App();
  PROFILES[name].create(app, {});
  app.synth();
}
