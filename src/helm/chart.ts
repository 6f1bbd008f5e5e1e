import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { isRecord, withPaths } from '../option-paths';
import { yamlLibrary } from '../yaml-library';
import { optionType, optionsSchema } from '../options-schema';
import { BundleFile, KubeObject, fileNameOf, toYaml } from '../output/bundle';
import { RdmaOptionError } from '../errors';
import { PROFILES } from '../profiles';
import { synthProfileParts } from '../synth';
import { PACKAGE_VERSION } from '../version';
import {
  ChartInferenceError,
  Helper,
  InferOptions,
  ProbedValue,
  Synth,
  TemplateDoc,
  getPath,
  inferTemplates,
  optionsFromValues,
} from './infer';
import { tgz } from './tar';
import { TNode, renderDocument } from './template';
import { PART_OF } from '../labels';
import { MPI_WAIT_COMPONENT } from '../constructs/mpi-latency-job';
import { quoteYaml11Strings, stringifyForAllReaders } from '../output/yaml';

/** Kubernetes versions the output is validated against (the conformance suite's oldest is 1.27). */
export const CHART_KUBE_VERSION = '>=1.27.0-0';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON schema: untyped JSON
type Schema = Record<string, any>;

/** The schema of one option, by dotted path. */
function schemaAt(schema: Schema, path: string): Schema | undefined {
  let s: Schema | undefined = schema;
  for (const k of path.split('.')) {
    s = s?.properties?.[k];
  }
  return s;
}

/** Hook weights by kind: the waiters' RBAC and the headless Services before the Jobs. */
const HOOK_WEIGHTS: Readonly<Record<string, string>> = { Service: '-1', ServiceAccount: '-1', Role: '-1', RoleBinding: '-1' };

/**
 * Annotations that make a check a `helm test` hook: `helm install`/`upgrade` never create it, `helm test`
 * deletes the previous run's object and creates it anew (https://helm.sh/docs/topics/chart_tests/,
 * https://helm.sh/docs/topics/charts_hooks/). Services come first (weight -1): helm waits for each Job or
 * Pod hook to finish before the next, and for no other kind.
 */
export function helmTestHook(obj: KubeObject): KubeObject {
  const annotations = {
    ...obj.metadata.annotations,
    'helm.sh/hook': 'test',
    'helm.sh/hook-delete-policy': 'before-hook-creation',
    'helm.sh/hook-weight':
      HOOK_WEIGHTS[obj.kind] ?? (obj.metadata.labels?.['app.kubernetes.io/component'] === MPI_WAIT_COMPONENT ? '1' : '0'),
  };
  return { ...obj, metadata: { ...obj.metadata, annotations } };
}

/** The objects of a profile's chart: the platform, and the checks as `helm test` hooks with their base names. */
export function chartObjects(profile: string, options: unknown = {}): KubeObject[] {
  const { platform, checks } = synthProfileParts(profile, options, { runIds: false, helmTestWaiters: true });
  return [...platform, ...checks.map(helmTestHook)];
}

/** chartObjects in gate mode (src/gates.ts): every object, each with the gates it exists under. */
export function chartSynth(profile: string): Synth {
  return options => {
    const { platform, checks, gates, paths } = synthProfileParts(profile, options, { runIds: false, gates: true, helmTestWaiters: true });
    return {
      objects: withChartLabel(profile, [...platform, ...checks.map(helmTestHook)]),
      gates: [...gates!.platform, ...gates!.checks],
      // Construct path and kind: a renamed object stays one template; another kind at the same path is another.
      ids: [...paths!.platform, ...paths!.checks].map((path, i) => `${[...platform, ...checks][i].kind}:${path}`),
    };
  };
}

/** The `helm.sh/chart` label value: name and version (`+` is not allowed in a label value). */
const chartLabel = (profile: string) => `${profile}-${PACKAGE_VERSION}`.replace(/\+/g, '_').slice(0, 63).replace(/-+$/, '');

/**
 * `helm.sh/chart` (https://helm.sh/docs/chart_best_practices/labels/) on each object that carries the version
 * label; never on pod templates or on the checks (the label changes with every release).
 */
function withChartLabel(profile: string, objects: KubeObject[]): KubeObject[] {
  return objects.map(o =>
    o.kind !== CRD && o.metadata.labels?.['app.kubernetes.io/version'] !== undefined
      ? { ...o, metadata: { ...o.metadata, labels: { 'helm.sh/chart': chartLabel(profile), ...o.metadata.labels } } }
      : o,
  );
}

/**
 * templates/_helpers.tpl: the label blocks every template includes. `<profile>.labels` on objects (the chart,
 * the release, the version), `<profile>.podLabels` on pod templates and checks (nothing that changes per release).
 */
export function chartHelpers(profile: string): { tpl: string; helpers: Helper[] } {
  const releaseName: TNode = { t: 'str', pieces: [{ path: '.Release.Name', number: false }] };
  const podEntries: Record<string, TNode> = {
    'app.kubernetes.io/instance': releaseName,
    'app.kubernetes.io/managed-by': { t: 'lit', v: 'cdk8s-rdma' },
    'app.kubernetes.io/part-of': { t: 'lit', v: PART_OF },
  };
  const helpers: Helper[] = [
    {
      name: `${profile}.labels`,
      entries: {
        'helm.sh/chart': { t: 'lit', v: chartLabel(profile) },
        ...podEntries,
        'app.kubernetes.io/version': { t: 'lit', v: PACKAGE_VERSION },
      },
    },
    { name: `${profile}.podLabels`, entries: podEntries },
  ];
  const tpl = `{{/*
Labels of the objects of the release: Helm's chart label and the Kubernetes recommended labels
(https://helm.sh/docs/chart_best_practices/labels/, https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/).
*/}}
{{- define "${profile}.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "${profile}.podLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}

{{/*
Labels of pod templates and of the checks: nothing that changes between releases (a Job's pod template is immutable).
*/}}
{{- define "${profile}.podLabels" -}}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
app.kubernetes.io/part-of: ${PART_OF}
{{- end }}
`;
  return { tpl, helpers };
}

const valuesByDefinition = new WeakMap<object, readonly ProbedValue[]>();
/**
 * The exposed values of a profile's chart, with their defaults and what to probe. They follow from the chart
 * spec and the options schema alone: read once per profile definition (the generator and the tests ask for them
 * per synth), frozen, since every caller shares them.
 */
export function chartValues(profile: string): readonly ProbedValue[] {
  const def = PROFILES[profile];
  let values = def ? valuesByDefinition.get(def) : undefined;
  if (!values) {
    values = Object.freeze(readChartValues(profile).map(v => Object.freeze(v)));
    valuesByDefinition.set(def, values);
  }
  return values;
}

function readChartValues(profile: string): ProbedValue[] {
  const spec = PROFILES[profile].chart;
  const schema = optionsSchema(profile);
  return spec.values.map(v => {
    const s = schemaAt(schema, v.path);
    if (!s) throw new ChartInferenceError(`${profile}: chart value ${v.path} is not an option of the profile`);
    const def = v.default !== undefined ? v.default : s.default;
    if (def === undefined && v.chartDefault !== '')
      throw new ChartInferenceError(`${profile}: chart value ${v.path} needs a default (its option has a computed one)`);
    const common = {
      path: v.path,
      default: def,
      ...(v.when ? { when: v.when } : {}),
      ...(v.with ? { with: v.with } : {}),
      ...(v.scope ? { scope: v.scope } : {}),
      ...(v.ref ? { ref: v.ref } : {}),
      ...(v.chartDefault !== undefined ? { chartDefault: v.chartDefault } : {}),
      ...(v.builtin ? { builtin: true } : {}),
      ...(Array.isArray(s.type) && s.type.includes('string') && s.type.includes('integer') ? { intOrString: true } : {}),
    };
    if (s.type === 'boolean') return { ...common, alternatives: [!def] };
    // An enum with probes is text the templates print (a log level), not a switch.
    if (s.enum && !v.probes) return { ...common, alternatives: (s.enum as string[]).filter(x => x !== def) };
    if (!v.probes) throw new ChartInferenceError(`${profile}: chart value ${v.path} needs probes`);
    return { ...common, probes: v.probes as [unknown, unknown] };
  });
}

/** values.yaml content: every exposed value at its default. */
export function chartDefaults(profile: string): Record<string, unknown> {
  return withPaths(
    {},
    inValues(chartValues(profile)).map(v => [v.path, chartDefaultOf(v)]),
  );
}

/** The values of values.yaml (Helm built-ins such as the release name are not values). */
const inValues = (values: readonly ProbedValue[]) => values.filter(v => !v.builtin);
const chartDefaultOf = (v: ProbedValue) => (v.chartDefault !== undefined ? v.chartDefault : v.default);

/** A Helm release as the templates see it: `.Release.Name` and `.Release.Namespace`. */
export interface HelmRelease {
  readonly name: string;
  readonly namespace: string;
}

/** What `helm template` assumes without a name or `--namespace` (the tests' release). */
export const TEMPLATE_RELEASE: HelmRelease = { name: 'release', namespace: 'default' };

/** Dotted paths of everything set in `options`: scalars, lists and empty maps. */
function setPaths(options: unknown, prefix = ''): string[] {
  if (typeof options !== 'object' || options === null || Array.isArray(options) || (prefix && Object.keys(options).length === 0))
    return prefix ? [prefix] : [];
  return Object.entries(options).flatMap(([k, v]) => setPaths(v, prefix ? `${prefix}.${k}` : k));
}

/**
 * values.yaml for profile options (a values file given to `synth --format helm`): each exposed value as the
 * options set it, else at its default. An option the chart does not expose is refused, since the chart could
 * not render it.
 */
export function valuesForOptions(profile: string, options: Record<string, unknown>): Record<string, unknown> {
  const all = chartValues(profile);
  const builtin = setPaths(options).find(p => all.some(v => v.builtin && v.path === p));
  if (builtin !== undefined) {
    throw new RdmaOptionError(
      `${profile} chart`,
      builtin,
      getPath(options, builtin),
      `is not a value of the chart: the templates read ${all.find(v => v.path === builtin)!.ref}`,
      'the release name (helm install <name>)',
    );
  }
  const values = inValues(all);
  const exposed = values.map(v => v.path);
  const outside = setPaths(options).find(p => !exposed.some(e => p === e || p.startsWith(`${e}.`)));
  if (outside !== undefined) {
    throw new RdmaOptionError(
      `${profile} chart`,
      outside,
      getPath(options, outside),
      'is not a value of the chart (use --format yaml for it)',
      exposed.join(', '),
    );
  }
  return withPaths(
    {},
    values.map(v => {
      const set = getPath(options, v.path);
      return [v.path, set === undefined ? chartDefaultOf(v) : set];
    }),
  );
}

/** The options schema cut down to the exposed values (each keeps its own schema), closed at every level. */
export function chartValuesSchema(profile: string): Schema {
  const schema = optionsSchema(profile);
  const out: Schema = {
    $schema: schema.$schema,
    title: `Values of the ${profile} chart`,
    type: 'object',
    properties: {},
    additionalProperties: false,
  };
  for (const v of inValues(chartValues(profile))) {
    const keys = v.path.split('.');
    let target = out;
    let source: Schema = schema;
    keys.forEach((k, i) => {
      source = source.properties[k];
      if (i === keys.length - 1) {
        target.properties[k] = chartValueSchema(source, v);
        return;
      }
      target.properties[k] ??= {
        type: 'object',
        ...(source.description ? { description: source.description } : {}),
        properties: {},
        additionalProperties: false,
      };
      target = target.properties[k];
    });
  }
  return out;
}

/**
 * The schema of one value: the option's, plus the chart default when that is '' (the template's `ref` uses the
 * release's) or null (the template computes the profile's default).
 */
function chartValueSchema(s: Schema, v: ProbedValue): Schema {
  if (v.chartDefault === '') {
    const { pattern, minLength: _minLength, description, ...rest } = s;
    return {
      ...rest,
      description: `${description ?? ''} Empty: ${v.ref ? 'the release namespace' : 'unset'}.`.trim(),
      ...(pattern ? { pattern: `^$|${pattern}` } : {}),
    };
  }
  if (v.chartDefault === null) {
    return { ...s, type: [s.type, 'null'], description: `${s.description ?? ''} Null: the profile's default.`.trim() };
  }
  return s;
}

function valuesYaml(profile: string, defaults: Record<string, unknown>): string {
  const schema = optionsSchema(profile);
  const { Document, isMap, isScalar } = yamlLibrary();
  const doc = new Document(defaults);
  const annotate = (node: unknown, prefix: string) => {
    if (!isMap(node)) return;
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      const path = prefix ? `${prefix}.${key}` : key;
      const description = schemaAt(schema, path)?.description;
      if (description && isScalar(pair.key))
        pair.key.commentBefore = wrapText(description, 98)
          .map(l => ` ${l}`)
          .join('\n');
      annotate(pair.value, path);
    }
  };
  annotate(doc.contents, '');
  quoteYaml11Strings(doc);
  return `# Values of the cdk8s-rdma ${profile} chart ${PACKAGE_VERSION}; the schema is values.schema.json.\n${doc.toString({ lineWidth: 0 })}`;
}

function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.replace(/\s+/g, ' ').trim().split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function chartReadme(profile: string, defaults: Record<string, unknown>, singletons: readonly string[]): string {
  const schema = optionsSchema(profile);
  const all = chartValues(profile);
  const values = inValues(all).map(v => ({ ...v, default: getPath(defaults, v.path) }));
  const rows = values.map(v => {
    const s = chartValueSchema(schemaAt(schema, v.path)!, v);
    return `| \`${v.path}\` | ${cell(optionType(s))} | \`${cell(JSON.stringify(v.default))}\` | ${cell(s.description ?? '')} |`;
  });
  const exceptions = Object.entries(PROFILES[profile].chart.exceptions).map(([path, why]) => `| \`${path}\` | ${cell(why)} |`);
  const releaseNamespaced = all
    .filter(v => v.chartDefault === '' && v.ref)
    .map(v => `\`${v.path}\``)
    .join(', ');
  return `# ${profile} (cdk8s-rdma ${PACKAGE_VERSION})

${PROFILES[profile].description}.

Generated by \`npm run synth\` from the ${profile} profile: \`helm template\` of this chart renders the same
objects as \`cdk8s-rdma\` synthesizes for the same values (the tests check it with helm 3 and helm 4 for the
defaults, several values files, each switch and every pair of switches). Install it with:

\`\`\`sh
helm install my-release charts/${profile} -n my-namespace --create-namespace -f my-values.yaml
helm test my-release -n my-namespace      # the checks (helm test hooks)
\`\`\`

- The release name is the \`app.kubernetes.io/instance\` label of every object; Helm sets
  \`app.kubernetes.io/managed-by\`, and objects carry \`helm.sh/chart\` (labels from \`templates/_helpers.tpl\`).
- The checks run in the release namespace unless ${releaseNamespaced} names another; only then does the chart
  create that Namespace (with the Pod Security labels the checks need). A release namespace the cluster
  enforces Pod Security on needs \`pod-security.kubernetes.io/enforce=privileged\`: the checks add IPC_LOCK.
- Cluster singletons keep fixed names in their own namespaces, whatever the release: ${singletons.join(', ')}.
  Install one release of this chart per cluster.
- The CRDs are in \`crds/\`: helm installs them before anything else and never deletes or upgrades them
  (\`--skip-crds\` leaves them out, for example when the cluster already has them).
- \`values.schema.json\` holds the CLI's per-field rules (ranges, patterns, enums); helm refuses a value the CLI
  refuses and names the field.

## Values

| Value | Type | Default | Meaning |
|---|---|---|---|
${rows.join('\n')}

## Options the chart does not carry

Every other option of the profile is a value above. These stay at their defaults in the chart; set them with the
YAML bundle (\`cdk8s-rdma synth --values\`) or the TypeScript API.

| Option | Why |
|---|---|
${exceptions.join('\n')}
`;
}

function chartYaml(profile: string): string {
  return stringifyForAllReaders({
    apiVersion: 'v2',
    name: profile,
    description: PROFILES[profile].description,
    type: 'application',
    version: PACKAGE_VERSION,
    appVersion: PACKAGE_VERSION,
    kubeVersion: CHART_KUBE_VERSION,
    keywords: [...PROFILES[profile].keywords],
  });
}

const CRD = 'CustomResourceDefinition';

/**
 * The files of a chart that no value changes (templates/ and crds/, NOTES.txt, guards and helpers) and the cluster
 * singletons its README names: what chart inference makes of a profile.
 */
export interface ChartTemplateSet {
  readonly files: Readonly<Record<string, string>>;
  readonly singletons: readonly string[];
}

/**
 * A chart's template set, inferred from the profile's gate-mode synths (the generator; `verify` checks more).
 * `docs`: the template documents of chartTemplates(profile, infer), where the caller has them already.
 */
export function inferChartTemplateSet(
  profile: string,
  infer: InferOptions = {},
  docs: TemplateDoc[] = chartTemplates(profile, infer),
): ChartTemplateSet {
  const values = chartValues(profile);
  // File names use the default values, not the probes.
  const probeNames = values.flatMap(v => (v.probes && typeof v.probes[0] === 'string' ? [[v.probes[0], String(v.default)]] : []));
  const unprobed = (text: string) => probeNames.reduce((n, [probe, def]) => n.split(probe).join(def), text);
  const nameOf = (o: KubeObject) => unprobed(fileNameOf(o));
  const files = new Map<string, string>();
  // In verify mode, the CRDs are checked against the default synth's.
  const defaultObjects = infer.verify ? new Map(chartObjects(profile, {}).map(o => [fileNameOf(o), o])) : undefined;
  for (const d of docs) {
    const name = nameOf(d.object);
    if (d.object.kind === CRD) {
      // Helm does not template crds/: the CRD as the defaults synthesize it (labels of the default instance).
      const crd = JSON.parse(
        probeNames.reduce((json, [probe, def]) => json.split(probe).join(def), JSON.stringify(d.object)),
      ) as KubeObject;
      if (defaultObjects && JSON.stringify(defaultObjects.get(name)) !== JSON.stringify(crd))
        throw new ChartInferenceError(`cdk8s-rdma: chart ${profile}: CRD ${name} depends on values`);
      files.set(`crds/${name}`, toYaml(crd));
      continue;
    }
    // Variants of one object under exclusive conditions share its file.
    const path = `templates/${name}`;
    const previous = files.get(path);
    files.set(path, previous === undefined ? renderDocument(d.node, d.cond) : `${previous}---\n${renderDocument(d.node, d.cond)}`);
  }
  files.set('templates/NOTES.txt', PROFILES[profile].chart.notes);
  const guards = PROFILES[profile].chart.guards;
  if (guards !== undefined) files.set('templates/guards.yaml', guards);
  files.set('templates/_helpers.tpl', chartHelpers(profile).tpl);
  // DaemonSets and Deployments: node agents and operators, one per cluster.
  const singletons = docs
    .filter(d => d.object.kind === 'DaemonSet' || d.object.kind === 'Deployment')
    .map(d => `${d.object.kind} \`${unprobed(`${d.object.metadata.namespace}/${d.object.metadata.name}`)}\``);
  return { files: Object.fromEntries([...files.keys()].sort().map(k => [k, files.get(k)!])), singletons: [...new Set(singletons)].sort() };
}

/** Where `npm run synth` stores each profile's template set (scripts/chart-templates.ts), shipped with the package. */
export const CHART_TEMPLATES_DIR = join(__dirname, '..', 'data', 'chart-templates');

/**
 * The template set `npm run synth` stored for a profile (src/data/chart-templates/<profile>.json), or undefined
 * when there is none for this version. A test keeps it equal to a fresh inference, as for the options schemas.
 */
export function storedChartTemplateSet(profile: string, dir: string = CHART_TEMPLATES_DIR): ChartTemplateSet | undefined {
  const file = join(dir, `${profile}.json`);
  if (!existsSync(file)) return undefined;
  const stored = JSON.parse(readFileSync(file, 'utf8')) as ChartTemplateSet & { version?: string };
  return stored.version === PACKAGE_VERSION ? { files: stored.files, singletons: stored.singletons } : undefined;
}

/**
 * The files of `charts/<profile>/`: Chart.yaml, values.yaml, values.schema.json, README.md, crds/ and
 * templates/ (one file per object, NOTES.txt). Pure: same profile, same bytes. `options` (checked by the
 * profile first) become the defaults in values.yaml; the templates are the same for any options, so a stored
 * template set (`templates`) may stand in for inference.
 */
export function renderChart(
  profile: string,
  options: Record<string, unknown> = {},
  infer: InferOptions = {},
  templates: ChartTemplateSet = inferChartTemplateSet(profile, infer),
): BundleFile[] {
  const defaults = valuesForOptions(profile, options);
  const files = new Map<string, string>(Object.entries(templates.files));
  files.set('Chart.yaml', chartYaml(profile));
  files.set('values.yaml', valuesYaml(profile, defaults));
  files.set('values.schema.json', JSON.stringify(chartValuesSchema(profile), null, 2) + '\n');
  files.set('README.md', chartReadme(profile, defaults, templates.singletons));
  return [...files.keys()].sort().map(path => ({ path, content: files.get(path)! }));
}

/** The template documents of a profile's chart (inferred from its gate-mode synths). */
export function chartTemplates(profile: string, infer: InferOptions = {}): TemplateDoc[] {
  try {
    return inferTemplates(chartSynth(profile), {}, chartValues(profile), { helpers: chartHelpers(profile).helpers, ...infer });
  } catch (e) {
    if (e instanceof ChartInferenceError) throw new ChartInferenceError(`cdk8s-rdma: chart ${profile}: ${e.message}`);
    throw e;
  }
}

/** File name of a chart archive, as `helm package` names it. */
export const chartArchiveName = (profile: string) => `${profile}-${PACKAGE_VERSION}.tgz`;

/** The chart archive (`helm package` layout, reproducible bytes). */
export function packageChart(profile: string, files: readonly BundleFile[]): Buffer {
  return tgz(files.map(f => ({ path: `${profile}/${f.path}`, content: f.content })));
}

/**
 * Helm's values merge: maps merge key by key, anything else (lists too) replaces the default. Not lodash's
 * merge, which merges lists index by index, unlike Helm (helm.sh/helm/v3 pkg/chartutil coalesce.go).
 */
export function mergeValues(defaults: unknown, overrides: unknown): unknown {
  if (!isRecord(defaults) || !isRecord(overrides)) return overrides === undefined ? defaults : overrides;
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(overrides)) out[k] = mergeValues(defaults[k], v);
  return out;
}

/** The profile options a chart renders for a values file: its values over values.yaml, as the templates read them. */
export function chartOptions(
  profile: string,
  values: unknown,
  release: HelmRelease = TEMPLATE_RELEASE,
  complete = false,
): Record<string, unknown> {
  const merged = complete ? values : mergeValues(chartDefaults(profile), values ?? {});
  return optionsFromValues({}, chartValues(profile), v => {
    if (v.builtin) return release.name;
    const x = getPath(merged, v.path);
    if (x === '' && v.chartDefault === '') return v.ref?.includes('.Release.Namespace') ? release.namespace : undefined;
    return x === null && v.chartDefault === null ? undefined : x;
  });
}

/**
 * What the chart renders for values and a release: the profile's objects for chartOptions, as Helm labels them
 * (`managed-by: Helm`, `helm.sh/chart`), without the Namespace objects of values left to the release namespace.
 * CRDs stay the default synth's (helm does not template crds/). `complete`: `values` is a whole values.yaml
 * (not merged over the chart's).
 */
export function expectedChartObjects(
  profile: string,
  values: unknown,
  release: HelmRelease = TEMPLATE_RELEASE,
  complete = false,
): KubeObject[] {
  const merged = complete ? values : mergeValues(chartDefaults(profile), values ?? {});
  const released = chartValues(profile).some(v => v.chartDefault === '' && getPath(merged, v.path) === '');
  const crds = chartCrds(profile);
  const objects = withChartLabel(profile, chartObjects(profile, chartOptions(profile, values, release, complete))).filter(
    o => o.kind !== CRD && !(released && o.kind === 'Namespace' && o.metadata.name === release.namespace),
  );
  for (const o of objects) managedByHelm(o);
  return [...crds, ...objects];
}

const crdsByProfile = new Map<string, readonly KubeObject[]>();
/**
 * The chart's crds/: the CRDs of the default synth. They do not depend on values (the generator checks it), so
 * one synth per profile serves every expectedChartObjects call; frozen, since every caller shares them.
 */
function chartCrds(profile: string): KubeObject[] {
  let crds = crdsByProfile.get(profile);
  if (!crds) {
    crds = chartObjects(profile, {})
      .filter(o => o.kind === CRD)
      .map(o => deepFreeze(o));
    crdsByProfile.set(profile, crds);
  }
  return [...crds];
}

/** `x`, frozen all the way down (objects callers share). */
export function deepFreeze<T>(x: T): T {
  if (x !== null && typeof x === 'object' && !Object.isFrozen(x)) {
    for (const v of Object.values(x)) deepFreeze(v);
    Object.freeze(x);
  }
  return x;
}

/**
 * `app.kubernetes.io/managed-by` as Helm sets it (the chart's labels helper prints `.Release.Service`), set in
 * place: `x` is a fresh synth's (cdk8s's toJson builds new objects and arrays on every call).
 */
function managedByHelm(x: unknown): void {
  if (Array.isArray(x)) {
    for (const v of x) managedByHelm(v);
  } else if (x !== null && typeof x === 'object') {
    const o = x as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (k === 'app.kubernetes.io/managed-by' && o[k] === 'cdk8s-rdma') o[k] = 'Helm';
      else managedByHelm(o[k]);
    }
  }
}
