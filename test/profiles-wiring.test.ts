import { existsSync, readFileSync, readdirSync } from 'fs';
import { join } from 'path';
import { PROFILES, PROFILE_NAMES } from '../src/internal';
import { optionsSchema } from '../src/options-schema';
import { PROFILE_VARIANTS } from './variants';
import { readDocument } from './helpers';

/*
 * A profile is one definition (src/profiles/index.ts PROFILES: name, description, keywords, options type,
 * chart, constructor). This suite says what else each profile needs, by name, when one is missing.
 */

const root = join(__dirname, '..');

describe.each(PROFILE_NAMES)('profile %s is wired everywhere', name => {
  const def = PROFILES[name];
  const need = (what: string, ok: boolean) => expect({ profile: name, what, ok }).toEqual({ profile: name, what, ok: true });

  test('its definition is complete', () => {
    need('PROFILES key = definition name', def.name === name);
    need('a description', def.description.length > 20);
    need('chart keywords, rdma first', def.keywords[0] === 'rdma' && def.keywords.length >= 3);
    need(
      'a chart with values, exceptions and NOTES.txt',
      def.chart.values.length > 5 && typeof def.chart.exceptions === 'object' && def.chart.notes.length > 0,
    );
  });

  test('its generated files exist (npm run synth)', () => {
    need(
      `src/data/options-schemas/${name}.json (npm run synth), imported in src/options-schema.ts`,
      existsSync(join(root, 'src', 'data', 'options-schemas', `${name}.json`)) && !!optionsSchema(name),
    );
    need(
      `dist/${name}/ and dist/${name}-checks/`,
      existsSync(join(root, 'dist', name, 'kustomization.yaml')) && existsSync(join(root, 'dist', `${name}-checks`, 'kustomization.yaml')),
    );
    need(
      `charts/${name}/Chart.yaml with the definition's keywords`,
      existsSync(join(root, 'charts', name, 'Chart.yaml')) &&
        JSON.stringify(readDocument(readFileSync(join(root, 'charts', name, 'Chart.yaml'), 'utf8')).keywords) ===
          JSON.stringify(def.keywords),
    );
  });

  test('its tests and docs exist', () => {
    need(`test/${name}.test.ts (the profile suite with golden files)`, existsSync(join(root, 'test', `${name}.test.ts`)));
    need(`variants in test/variants.ts (PROFILE_VARIANTS['${name}'])`, PROFILE_VARIANTS[name] !== undefined);
    need(
      `Helm values files test/helm-values/${name}.*.yaml`,
      readdirSync(join(root, 'test', 'helm-values')).some(f => f.startsWith(`${name}.`)),
    );
    need(
      `a README section "## The \`${name}\` profile"`,
      readFileSync(join(root, 'README.md'), 'utf8').includes(`## The \`${name}\` profile`),
    );
  });
});
