import { App } from 'cdk8s';
import { PROFILES, PROFILE_NAMES } from './profiles';

/**
 * The cdk8s app (cdk8s.yaml `app`): every profile with its default options, one chart each. `cdk8s synth`
 * writes them to cdk8s.out/; `npm run synth` writes the ordered bundles in dist/ from the same charts.
 */
const app = new App();
for (const name of PROFILE_NAMES) PROFILES[name].create(app, {});
app.synth();
