/**
 * A seeded fuzz of values files, for every profile: random options (valid-looking and hostile values, at
 * known and unknown paths, as YAML with tags and aliases too) go through the command. Every run must end in
 * exit 0 with a complete bundle that YAML 1.1 and 1.2 readers read the same, or exit 2 with one line and
 * nothing written. Never exit 1, never a hang, never a partial folder. Every bundle is also read by a
 * real kubectl v1.35.2 (a YAML 1.1 reader, see kubectlRead), which must read the same objects.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parse, stringify } from 'yaml';
import { PROFILE_NAMES, listFiles } from '../src/internal';
import { optionLeaves, optionsSchema } from '../src/options-schema';
import { runCli } from './run-cli';
import { kubectlRead, upstreamTools } from './upstream-tools';
import { random } from './seeded';
import { expectSameJson, readDocument } from './helpers';

const DEPRECATION_WARNING = /^cdk8s-rdma: warning: [a-z-]+: [\w.]+ is deprecated and is read until [\d.]+; use [\w.]+\n/gm;

const HOSTILE = [
  '',
  ' ',
  'yes',
  'on',
  '1_000',
  '0x1F',
  '../x',
  'a b',
  'x\u0000y',
  '\u001b[31mred',
  'a\nb',
  'lots',
  '-1',
  '1e308',
  '9'.repeat(400),
  'latest',
  'image:latest',
  '"',
  "'",
  '{}',
  '[]',
  '*',
  '&',
  '!!str',
  '%',
  '@',
  '#',
  'é',
  '😀',
  'a'.repeat(300),
  'Equal',
  'Exists',
  'NoSchedule',
  '10.0.0.0/8',
  '10.0.0.1',
  'fd00::/64',
  '500m',
  '8Gi',
  '5121Mi',
  'c5n.18xlarge',
  'p5.48xlarge',
  'kube-system',
  'ib0',
];

function valueFor(schema: any, rnd: () => number): unknown {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const r = rnd();
  if (r < 0.25) return pick(HOSTILE);
  if (r < 0.32) return pick([0, -1, 1, 2, 33, 1.5, 2 ** 53, -0, 1e21]);
  if (r < 0.36) return pick([true, false, null]);
  if (r < 0.4) return pick([[], {}, [pick(HOSTILE)], { [pick(HOSTILE)]: pick(HOSTILE) }]);
  if (schema.enum) return pick(schema.enum);
  if (schema.default !== undefined && r < 0.6) return schema.default;
  switch (Array.isArray(schema.type) ? schema.type[0] : schema.type) {
    case 'boolean':
      return rnd() < 0.5;
    case 'integer':
      return pick([1, 2, 4, 8, 32, 100, 1000]);
    case 'number':
      return pick([1, 0.5, 10]);
    case 'array':
      return Array.from({ length: Math.floor(rnd() * 3) }, () => (schema.items ? valueFor(schema.items, rnd) : pick(HOSTILE)));
    case 'object':
      return Object.fromEntries(
        Array.from({ length: Math.floor(rnd() * 3) }, () => [
          pick(['a', 'example.com/x', 'efa', 'n', pick(HOSTILE)]),
          pick(['v', 'yes', '1_000', pick(HOSTILE)]),
        ]),
      );
    default:
      return pick(['x', 'eks-efa', 'hpc', 'mlx5_0', pick(HOSTILE)]);
  }
}

function setPath(target: Record<string, any>, path: string, value: unknown): void {
  const keys = path.split('.');
  let o = target;
  for (const k of keys.slice(0, -1)) o = o[k] = typeof o[k] === 'object' && o[k] !== null && !Array.isArray(o[k]) ? o[k] : {};
  o[keys[keys.length - 1]] = value;
}

/** One values file: a few random options (sometimes an unknown one), written as YAML, JSON or hand-made YAML. */
function valuesFile(profile: string, rnd: () => number): string {
  const leaves = optionLeaves(optionsSchema(profile)).filter(l => l.path);
  const values: Record<string, any> = {};
  for (let n = 1 + Math.floor(rnd() * 4); n > 0; n--) {
    const leaf = leaves[Math.floor(rnd() * leaves.length)];
    setPath(values, rnd() < 0.08 ? `${leaf.path}.unknownKey` : leaf.path, valueFor(leaf.schema, rnd));
  }
  const r = rnd();
  if (r < 0.5) return stringify(values);
  if (r < 0.8) return JSON.stringify(values);
  // YAML the options cannot hold, or odd but valid YAML.
  return [
    `!!omap [${Object.keys(values)[0] ?? 'a'}: 1]\n`,
    'a: &x [*x]\n',
    `benchmarks: !custom {a: 1}\n`,
    'instance: x\ninstance: y\n',
    `x: &a {b: 1}\ny: *a\n`,
    '--- \n...\n',
    `${stringify(values)}# a comment\n`,
    '[1, 2',
    '\t- bad\n',
  ][Math.floor(rnd() * 9)];
}

const committed = new Map<string, string | undefined>();
/**
 * The committed bundle's text of a file (dist/ holds the default synth, tests keep it fresh), which
 * test/yaml.test.ts reads under YAML 1.1 and 1.2 already: a fuzzed run's file that equals it holds no fuzzed value.
 */
function committedText(folder: string, file: string): string | undefined {
  const path = join(__dirname, '..', 'dist', folder, file);
  if (!committed.has(path)) committed.set(path, existsSync(path) ? readFileSync(path, 'utf8') : undefined);
  return committed.get(path);
}

const { kubectl, missing } = upstreamTools();
if (!kubectl) console.log(`SKIPPED kubectl reading of the fuzz corpus: ${missing}`);

describe('fuzzed values files never crash, never half-write', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'rdma-fuzz-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test.each(PROFILE_NAMES)(
    '%s: 60 seeded values files end in exit 0 with a readable bundle, or exit 2 with one line and nothing written',
    async profile => {
      const rnd = random(20261201 + profile.length);
      const outcomes = { ok: 0, refused: 0 };
      const toRead: { i: number; input: string; folder: string; paths: string[] }[] = [];
      for (let i = 0; i < Number(process.env.FUZZ_RUNS ?? 60); i++) {
        const file = join(work, `${profile}-${i}.yaml`);
        writeFileSync(file, valuesFile(profile, rnd));
        const out = join(work, `out-${profile}-${i}`);
        const r = await runCli(['synth', '-p', profile, '-f', file, '--out', out]);
        const input = readFileSync(file, 'utf8');
        expect({ i, input, code: r.code, err: r.err.slice(0, 300) }).toEqual({
          i,
          input,
          code: expect.any(Number),
          err: expect.any(String),
        });
        // A deprecated option path (the schema still lists them) is read with one warning line each.
        const err = r.err.replace(DEPRECATION_WARNING, '');
        if (r.code === 2) {
          outcomes.refused++;
          expect({ i, input, lines: err.trimEnd().split('\n').length, start: err.startsWith('cdk8s-rdma: ') }).toEqual({
            i,
            input,
            lines: 1,
            start: true,
          });
          expect(existsSync(out) ? readdirSync(out).filter(n => !n.startsWith('.')) : []).toEqual([]);
          continue;
        }
        expect({ i, input, code: r.code, err }).toEqual({ i, input, code: 0, err: '' });
        outcomes.ok++;
        for (const folder of [profile, `${profile}-checks`]) {
          const files = listFiles(join(out, folder));
          const meta = JSON.parse(readFileSync(join(out, folder, 'bundle.json'), 'utf8'));
          expect(meta.files.map((f: any) => f.path).sort()).toEqual(files.filter(f => f !== 'bundle.json'));
          for (const f of files.filter(x => x.endsWith('.yaml'))) {
            const text = readFileSync(join(out, folder, f), 'utf8');
            if (text !== committedText(folder, f))
              expectSameJson({ i, f, v11: parse(text, { version: '1.1' }) }, { i, f, v11: parse(text) });
          }
          // A checks bundle can be empty (every job switched off): kubectl has nothing to read then.
          const ours = files.filter(x => x.endsWith('.yaml') && x !== 'kustomization.yaml');
          if (ours.length > 0) toRead.push({ i, input, folder, paths: ours.map(f => join(out, folder, f)) });
        }
      }
      // kubectl reads every bundle of the corpus in one run (one object per file, in the order given).
      if (kubectl && toRead.length > 0) {
        const read = kubectlRead(
          kubectl,
          toRead.flatMap(b => b.paths),
        );
        expect(read.length).toBe(toRead.reduce((n, b) => n + b.paths.length, 0));
        const key = (o: any) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
        const sorted = (objects: any[]) => [...objects].sort((x, y) => key(x).localeCompare(key(y)));
        let at = 0;
        for (const { i, input, folder, paths } of toRead) {
          const objects = read.slice(at, (at += paths.length));
          expectSameJson(
            { i, input, folder, objects: sorted(objects) },
            { i, input, folder, objects: sorted(paths.map(f => readDocument(readFileSync(f, 'utf8')))) },
          );
        }
      }
      // The corpus exercises both outcomes.
      expect(outcomes.ok).toBeGreaterThan(0);
      expect(outcomes.refused).toBeGreaterThan(0);
    },
  );
});
