import type { Document } from 'yaml';
import { yamlLibrary } from '../yaml-library';

/**
 * Plain scalars a YAML 1.1 reader resolves to another type than string. kubectl, kustomize and helm read YAML
 * with go-yaml v2 through sigs.k8s.io/yaml, which follows YAML 1.1: `efa: yes` reaches them as `true`, `1_000`
 * as 1000, `2001-12-14` as a timestamp. The forms, from the YAML 1.1 type repository (yaml.org/type: bool,
 * null, int, float, merge, timestamp) as the yaml library's 1.1 schema implements it
 * (node_modules/yaml/dist/schema/yaml-1.1), plus go-yaml v2's own reading of integers, which strips `_` and
 * hands the rest to Go's strconv.ParseInt with base 0 (so `0X1F`, `0B11` and `0o17` are integers too, go-yaml
 * resolve.go). `=` (the 1.1 value type) is quoted too. test/yaml.test.ts holds this against the yaml library's
 * 1.1 mode on random strings.
 */
const YAML11_NON_STRING = new RegExp(
  `^(?:${[
    'y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF',
    '~|null|Null|NULL',
    '[-+]?0b[0-1_]+',
    '[-+]?0[0-7_]+',
    '[-+]?[0-9][0-9_]*',
    '[-+]?0x[0-9a-fA-F_]+',
    '[-+]?0[bBoOxX][0-9a-fA-F_]+',
    '[-+]?(?:[0-9][0-9_]*)?(?:\\.[0-9_]*)?[eE][-+]?[0-9]+',
    '[-+]?(?:[0-9][0-9_]*)?\\.[0-9_]*',
    '[-+]?\\.(?:inf|Inf|INF)',
    '\\.(?:nan|NaN|NAN)',
    '[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\\.[0-9_]*)?',
    '<<',
    '=',
    '[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \\t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]*)?(?:[ \\t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?',
  ].join('|')})$`,
);

/** Whether a YAML 1.1 reader would read the plain scalar `s` as something else than the string `s`. */
export function yaml11NonString(s: string): boolean {
  return YAML11_NON_STRING.test(s);
}

/**
 * The yaml library's text of `value` (`lineWidth: 0`), with every string that a YAML 1.1 reader would misread
 * written double-quoted: text that 1.1 and 1.2 readers alike read back as the same data. This is the reference
 * toYamlText matches byte for byte; chart values.yaml files are written with it.
 */
export function stringifyForAllReaders(value: unknown, options: { readonly commented?: (doc: Document) => void } = {}): string {
  const doc = new (yamlLibrary().Document)(value);
  options.commented?.(doc);
  quoteYaml11Strings(doc);
  return doc.toString(OPTIONS);
}

/** Marks every string scalar of `doc` that a YAML 1.1 reader would misread as double-quoted. */
export function quoteYaml11Strings(doc: Document): void {
  const { Scalar, visit } = yamlLibrary();
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && (node.type === undefined || node.type === Scalar.PLAIN) && yaml11NonString(node.value))
        node.type = Scalar.QUOTE_DOUBLE;
    },
  });
}

/**
 * YAML text of plain data, byte for byte what stringifyForAllReaders (the `yaml` library's `stringify(value,
 * { lineWidth: 0 })`, 2.x, core schema, block style, with YAML 1.1 non-strings double-quoted) gives, written straight from the data instead of through the library's
 * document model, which was two thirds of the time of a large synth (README, Performance).
 *
 * Maps, lists, numbers, booleans, null and the common strings (see isSimple) are written here. Any other
 * string (quoted, block, or one the core schema might read as another type) is written by the library itself
 * in the same context (the same indentation, as a key or a value) and remembered. Anything else the library
 * treats specially (one object twice, which it writes as an anchor and an alias; class instances, undefined
 * list items, bigints, a key it writes as an explicit `? ` key, an empty document) makes the whole value go
 * through the library. test/yaml.test.ts compares both on every synthesized object and on random data.
 */
export function toYamlText(value: unknown): string {
  if (isPlainObject(value) || Array.isArray(value)) {
    const out = new Emitter().root(value);
    if (out !== undefined) return out;
  }
  return stringifyForAllReaders(value);
}

const OPTIONS = { lineWidth: 0 } as const;

/**
 * Strings written plain in every context: a letter or digit, then letters, digits and `_./:=@+-`, not ending
 * in `:`, and no type other than string in the core schema: not a null or boolean word and, when it starts
 * with a digit, holding a character that no number form (`0x1F`, `0o17`, `1.5e3`) has.
 */
const SIMPLE = /^[A-Za-z0-9][\w./:=@+-]*$/;
const NOT_NUMBER = /[g-nG-Np-wP-Wyz_YZ/:=@]/;
const NOT_STRINGS = new Set(['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE']);
function isSimple(s: string): boolean {
  if (s.length > 1000 || !SIMPLE.test(s) || s.endsWith(':') || YAML11_NON_STRING.test(s)) return false;
  const c = s.charCodeAt(0);
  return c >= 48 && c <= 57 ? NOT_NUMBER.test(s) : !NOT_STRINGS.has(s);
}

/** Thrown (and caught in toYamlText) when the value needs the library. */
const UNSUPPORTED = Symbol('unsupported');

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** The library's text for string `s` as a map value at depth `depth` (after `key: `). */
function libraryValue(s: string, depth: number): string {
  let wrapper: unknown = { k: s };
  for (let i = 1; i < depth; i++) wrapper = { a: wrapper };
  const out = stringifyForAllReaders(wrapper);
  const prefix = `${'  '.repeat(depth - 1)}k: `;
  const at = depth === 1 ? 0 : out.indexOf(`\n${prefix}`) + 1;
  if (!out.startsWith(prefix, at) || !out.endsWith('\n')) throw UNSUPPORTED;
  return out.slice(at + prefix.length, -1);
}

/** The library's text for key `k` of a map at the top level (`root`) or below. */
function libraryKey(k: string, root: boolean): string {
  const out = stringifyForAllReaders(root ? { [k]: 1 } : { a: { [k]: 1 } });
  const prefix = root ? '' : 'a:\n  ';
  if (!out.startsWith(prefix) || !out.endsWith(': 1\n')) throw UNSUPPORTED;
  const text = out.slice(prefix.length, -4);
  // An explicit (`? `) or multi-line key is written differently around it.
  if (text.startsWith('?') || text.includes('\n')) throw UNSUPPORTED;
  return text;
}

/**
 * Texts of strings as values (single-line ones by the string; multi-line ones, apart, by depth and string) and
 * as keys at the top level and below, looked up by the string itself (no key built per lookup). Emptied at
 * CACHE_LIMIT entries (a long-running process writing many distinct strings).
 */
const valueTexts = new Map<string, string>();
const blockTexts = new Map<string, string>();
const rootKeys = new Map<string, string>();
const nestedKeys = new Map<string, string>();
const CACHE_LIMIT = 100_000;

function store(cache: Map<string, string>, key: string, text: string): string {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, text);
  return text;
}

function stringValue(s: string, indent: string): string {
  const known = valueTexts.get(s);
  if (known !== undefined) return known;
  // A single-line string is written the same at every depth; a multi-line one (block scalar) is indented.
  if (!s.includes('\n')) return store(valueTexts, s, isSimple(s) ? s : libraryValue(s, 1));
  const depth = indent.length / 2;
  const key = `${depth}\n${s}`;
  return blockTexts.get(key) ?? store(blockTexts, key, libraryValue(s, depth));
}

function keyText(k: string, root: boolean): string {
  const cache = root ? rootKeys : nestedKeys;
  return cache.get(k) ?? store(cache, k, isSimple(k) ? k : libraryKey(k, root));
}

function scalar(v: unknown, indent: string): string {
  switch (typeof v) {
    case 'string':
      return stringValue(v, indent);
    case 'number':
      if (Number.isFinite(v)) return Object.is(v, -0) ? '-0' : JSON.stringify(v);
      return Number.isNaN(v) ? '.nan' : v < 0 ? '-.inf' : '.inf';
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      if (v === null) return 'null';
      throw UNSUPPORTED;
  }
}

/** Indentation strings by depth. */
const INDENTS: string[] = [''];
const deeper = (indent: string) => INDENTS[indent.length / 2 + 1] ?? (INDENTS[indent.length / 2 + 1] = `${indent}  `);

/** Whether a collection is written as `{}` or `[]` (a map whose values are all undefined counts as empty). */
function isEmpty(v: object): boolean {
  if (Array.isArray(v)) return v.length === 0;
  for (const k in v) if (Object.prototype.hasOwnProperty.call(v, k) && (v as Record<string, unknown>)[k] !== undefined) return false;
  return true;
}

/** Writes one document as a list of pieces joined at the end (a flat string, cheaper than growing one). */
class Emitter {
  private readonly out: string[] = [];
  /** Objects seen so far: the library writes a second reference to one as an alias. */
  private readonly seen = new Set<object>();

  root(value: Record<string, unknown> | unknown[]): string | undefined {
    try {
      if (isEmpty(value)) return undefined;
      this.node(value, '');
      this.out.push('\n');
      return this.out.join('');
    } catch (e) {
      if (e === UNSUPPORTED) return undefined;
      throw e;
    }
  }

  /** A non-empty collection (its lines joined at `indent`) or a scalar. */
  private node(v: unknown, indent: string): void {
    if (Array.isArray(v)) this.seq(v, indent);
    else if (v !== null && typeof v === 'object') this.map(v as Record<string, unknown>, indent);
    else this.out.push(scalar(v, indent));
  }

  private enter(v: object): void {
    if (this.seen.has(v)) throw UNSUPPORTED;
    this.seen.add(v);
  }

  private map(obj: Record<string, unknown>, indent: string): void {
    this.enter(obj);
    const inner = deeper(indent);
    const root = indent === '';
    const newline = `\n${indent}`;
    let first = true;
    for (const k of Object.keys(obj)) {
      const v = obj[k];
      if (v === undefined) continue;
      if (!first) this.out.push(newline);
      first = false;
      this.out.push(keyText(k, root), ':');
      this.after(v, inner);
    }
  }

  private seq(list: unknown[], indent: string): void {
    this.enter(list);
    const inner = deeper(indent);
    const newline = `\n${indent}`;
    for (let i = 0; i < list.length; i++) {
      const v = list[i];
      if (i > 0) this.out.push(newline);
      this.out.push('- ');
      if (v !== null && typeof v === 'object') this.collection(v, inner, '');
      else this.out.push(scalar(v, inner));
    }
  }

  /** What follows `key:`: a space and a scalar or empty collection, or the collection's lines below. */
  private after(v: unknown, indent: string): void {
    if (v !== null && typeof v === 'object') this.collection(v, indent, `\n${indent}`);
    else this.out.push(' ', scalar(v, indent));
  }

  /** A collection: `{}`/`[]` (after a space when it follows a key), or its lines after `lead`. */
  private collection(v: object, indent: string, lead: string): void {
    if (!Array.isArray(v) && !isPlainObject(v)) throw UNSUPPORTED;
    if (isEmpty(v)) {
      this.enter(v);
      this.out.push(lead ? ' ' : '', Array.isArray(v) ? '[]' : '{}');
    } else {
      if (lead) this.out.push(lead);
      this.node(v, indent);
    }
  }
}
