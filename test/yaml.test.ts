import { readFileSync } from 'fs';
import { join } from 'path';
import { parse, stringify } from 'yaml';
import { PROFILE_NAMES, listFiles, synthProfile } from '../src/internal';
import { stringifyForAllReaders, toYamlText, yaml11NonString } from '../src/output/yaml';
import { PROFILE_VARIANTS } from './variants';
import { random } from './seeded';
import { expectSameJson } from './helpers';

/**
 * What toYamlText must equal: the `yaml` library's own text, with the strings a YAML 1.1 reader would misread
 * double-quoted (stringifyForAllReaders: the library's document model, one visitor). Where no such string
 * occurs, that is the library's plain `stringify`, which the last test holds.
 */
const library = (v: unknown) => stringifyForAllReaders(v);

// Strings that take every path of the library's string writer: plain, single and double quoted, literal
// blocks with each chomping and indentation indicator, document markers, types other than string.
const SPECIAL = [
  '',
  ' ',
  'true',
  'True',
  'FALSE',
  'null',
  'Null',
  '~',
  'yes',
  'no',
  'on',
  'off',
  '1',
  '-1',
  '+1',
  '0o17',
  '0x1F',
  '1e3',
  '1.5',
  '.5',
  '-.inf',
  '.NaN',
  '-',
  '?',
  ':',
  '- a',
  '? a',
  'a:',
  'a: b',
  'a #b',
  '#a',
  '---',
  '...',
  '--- a',
  '%TAG',
  '@a',
  '`a',
  '&a',
  '*a',
  '!a',
  '|',
  '>',
  '"a"',
  "'a'",
  "it's",
  'say "hi"',
  'a\nb',
  'a\nb\n',
  'a\nb\n\n',
  '\na',
  ' a\nb',
  'a\n b',
  'a \nb',
  'a\n\n\nb',
  'a\n',
  '\n',
  '\n\n',
  'a\t',
  '\ta',
  'x\u0000y',
  'x\u0007',
  '\u0085',
  '\u00a0',
  '\u2028',
  '#!/bin/sh\nset -e\nexec "$@"\n',
  '{"cniVersion":"0.3.1","name":"ib"}',
  'key=value',
  'a/b:c@d',
  'a,b',
  '[a]',
  '{a}',
  'é',
  '😀',
  'a'.repeat(1100),
  '90-mpijob-osu.pool-0.yaml',
  '1e3x',
  '0x1Fg',
  '0o17z',
  '0xG',
  '1_000',
  '12:30',
  '1.0.0',
  '2Gi',
  '500m',
  '1e',
  '1e+',
  '0o',
  '0x',
  '1-2',
  '1+e3',
  '9/10',
  '3a',
  '---\nx',
  'x\n---\ny',
  'x\n...\n',
  'line one\nline two with trailing space \n',
  'λx: y',
];
const ALPHABET = 'aZ09 :-?#"\'\n\t,[]{}&*!|>%@`.\\/=+_éexofEXOgm';

function randomString(rnd: () => number): string {
  if (rnd() < 0.4) return SPECIAL[Math.floor(rnd() * SPECIAL.length)];
  let s = '';
  const n = Math.floor(rnd() * 12);
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(rnd() * ALPHABET.length)];
  return s;
}

function randomScalar(rnd: () => number): unknown {
  const r = rnd();
  if (r < 0.55) return randomString(rnd);
  if (r < 0.75) return [0, -0, 1, -7, 42, 1.5, -2.25, 1e21, 5e-7, 2 ** 53, NaN, Infinity, -Infinity][Math.floor(rnd() * 13)];
  if (r < 0.9) return rnd() < 0.5;
  return null;
}

function randomValue(rnd: () => number, depth: number): unknown {
  const r = rnd();
  if (depth <= 0 || r < 0.35) return randomScalar(rnd);
  const n = Math.floor(rnd() * 4);
  if (r < 0.65) return Array.from({ length: n }, () => randomValue(rnd, depth - 1));
  const obj: Record<string, unknown> = {};
  for (let i = 0; i < n; i++)
    obj[rnd() < 0.6 ? `k${Math.floor(rnd() * 5)}` : randomString(rnd)] = rnd() < 0.1 ? undefined : randomValue(rnd, depth - 1);
  return obj;
}

describe('toYamlText', () => {
  test('equals the yaml library on every object of every profile and conformance variant', () => {
    let objects = 0;
    for (const profile of PROFILE_NAMES) {
      for (const options of [{}, ...Object.values(PROFILE_VARIANTS[profile])]) {
        for (const obj of synthProfile(profile, options)) {
          expect(toYamlText(obj)).toBe(library(obj));
          objects++;
        }
      }
    }
    expect(objects).toBeGreaterThan(100);
  });

  test('equals the yaml library on the committed bundles and chart values', () => {
    const root = join(__dirname, '..');
    const files = [
      ...listFiles(join(root, 'dist'))
        .filter(f => f.endsWith('.yaml'))
        .map(f => `dist/${f}`),
      ...listFiles(join(root, 'charts'))
        .filter(f => f.endsWith('/values.yaml'))
        .map(f => `charts/${f}`),
    ];
    expect(files.filter(f => f.startsWith('charts/'))).toHaveLength(PROFILE_NAMES.length);
    expect(files.length).toBeGreaterThan(50);
    for (const f of files) {
      const data = parse(readFileSync(join(root, f), 'utf8'));
      expectSameJson({ f, text: toYamlText(data) }, { f, text: library(data) });
    }
  });

  test('equals the yaml library on 3,000 random documents (maps, lists, every kind of scalar and string)', () => {
    const rnd = random(20261121);
    for (let i = 0; i < 3000; i++) {
      const root = rnd() < 0.75 ? randomValue(rnd, 5) : Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => randomValue(rnd, 4));
      expectSameJson({ i, text: toYamlText(root) }, { i, text: library(root) });
    }
  });

  test('each special string, as a key and a value at several depths', () => {
    for (const s of SPECIAL) {
      for (const doc of [{ [s]: s }, { a: { [s]: [s, { [s]: s }] } }, [s, [s], { b: [[s]] }], { a: { b: { c: { d: s } } } }]) {
        expectSameJson({ s, text: toYamlText(doc) }, { s, text: library(doc) });
      }
    }
  });

  test('strings that start with a digit: plain unless a number form could read them', () => {
    const rnd = random(7);
    const chars = '0123456789abcdefABCDEFoxOXeE.+-gmGM_:/';
    for (let i = 0; i < 3000; i++) {
      let s = String(Math.floor(rnd() * 10));
      for (let n = Math.floor(rnd() * 6); n > 0; n--) s += chars[Math.floor(rnd() * chars.length)];
      const doc = { [s]: [s, { [s]: s }] };
      expectSameJson({ s, text: toYamlText(doc) }, { s, text: library(doc) });
    }
  });

  test('a multi-line string that looks like another string at another depth is written for itself', () => {
    const doc = { a: { b: { c: 'abc\ndef' } }, d: '3\nabc\ndef', e: [['2\nabc\ndef']] };
    expect(toYamlText(doc)).toBe(library(doc));
  });

  test('what the library writes specially goes through the library: aliases, class instances, undefined items', () => {
    const shared = { a: 1 };
    const empty = {};
    class Point {
      constructor(readonly x: number) {}
    }
    const cases: unknown[] = [
      { one: shared, two: shared },
      [shared, [shared]],
      { one: empty, two: [empty] },
      { p: new Point(3) },
      [1, undefined, 2],
      { when: new Date(0) },
      { big: 10n },
      'a root string',
      42,
      null,
      {},
      [],
    ];
    for (const c of cases) expect(toYamlText(c)).toBe(library(c));
    expect(toYamlText({ one: shared, two: shared })).toContain('*a1');
  });
});

describe('YAML every reader reads the same', () => {
  const TRICKY = [
    'yes',
    'no',
    'on',
    'off',
    'y',
    'n',
    'Y',
    'N',
    'YES',
    'Off',
    '1_000',
    '0b101',
    '-0b1',
    '012',
    '0x1F',
    '1:20',
    '190:20:30.15',
    '1_000.5',
    '2001-12-14',
    '2001-12-14t21:59:43.10-05:00',
    '2001-12-14 21:59:43.10 -5',
    '~',
    'null',
    '.inf',
    '-.Inf',
    '.NaN',
    '0o17',
    '4.18',
    '=',
    '<<',
    // go-yaml v2 hands integers to Go's strconv.ParseInt with base 0, which takes upper-case prefixes too.
    '0X1F',
    '0B11',
    '0O17',
  ];
  test('any string, as a key and a value, reads back the same under YAML 1.1 and 1.2 (3,000 random strings and the tricky ones)', () => {
    const rnd = random(11);
    const chars = '0123456789_:.+-bxoeEtTzZynYNaAfF~= ';
    const candidates = [
      ...TRICKY,
      ...SPECIAL,
      ...Array.from({ length: 3000 }, () => {
        let s = '';
        for (let n = 1 + Math.floor(rnd() * 8); n > 0; n--) s += chars[Math.floor(rnd() * chars.length)];
        return s;
      }),
    ];
    for (const s of candidates) {
      const doc = { [s]: s, l: [s] };
      const text = toYamlText(doc);
      expectSameJson({ s, v11: parse(text, { version: '1.1' }) }, { s, v11: doc });
      expectSameJson({ s, v12: parse(text) }, { s, v12: doc });
    }
    // The flag covers every tricky string the library's 1.1 mode reads plain as another type.
    for (const s of TRICKY) {
      if (parse(`k: ${s}`, { version: '1.1' }).k !== s) expect({ s, flagged: yaml11NonString(s) }).toEqual({ s, flagged: true });
    }
  });
  test('keys and values that 1.1 would misread are quoted, and read back the same by 1.1 and 1.2 readers', () => {
    const doc = { nodeSelector: Object.fromEntries(TRICKY.map(s => [s, s])), list: TRICKY };
    const text = toYamlText(doc);
    expect(text).toContain('"yes": "yes"');
    expect(text).toContain('"1_000": "1_000"');
    for (const goInt of ['0X1F', '0B11', '0O17']) expect(text).toContain(`"${goInt}": "${goInt}"`);
    expect(parse(text, { version: '1.1' })).toEqual(doc);
    expect(parse(text)).toEqual(doc);
    // Without such strings, the text is the library's plain stringify, byte for byte.
    const plainDoc = { a: ['osu_latency', 'rdma/rdma_shared_device_a', 'v0.5.20'], b: { c: 'x' } };
    expect(toYamlText(plainDoc)).toBe(stringify(plainDoc, { lineWidth: 0 }));
  });
  test('the committed bundles and charts read the same under YAML 1.1 as under 1.2', () => {
    const root = join(__dirname, '..');
    const files = [
      ...listFiles(join(root, 'dist'))
        .filter(f => f.endsWith('.yaml'))
        .map(f => `dist/${f}`),
      ...listFiles(join(root, 'charts'))
        .filter(f => f.endsWith('values.yaml') || f.startsWith('crds/') || /\/crds\//.test(f))
        .map(f => `charts/${f}`),
    ];
    for (const f of files) {
      const text = readFileSync(join(root, f), 'utf8');
      expectSameJson({ f, data: parse(text, { version: '1.1' }) }, { f, data: parse(text) });
    }
  });
  test('a profile given such values writes them so: benchmarks.nodeSelector {efa: "yes"}', () => {
    const job = synthProfile('eks-efa', { benchmarks: { nodeSelector: { efa: 'yes', 'example.com/count': '1_000' } } }).find(
      o => o.kind === 'Job',
    )!;
    const text = toYamlText(job);
    expect(text).toContain('efa: "yes"');
    expect(parse(text, { version: '1.1' }).spec.template.spec.nodeSelector).toEqual({ efa: 'yes', 'example.com/count': '1_000' });
  });
});
