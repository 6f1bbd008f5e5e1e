import { stringify } from 'yaml';

/**
 * YAML text of plain data, byte for byte what `stringify(value, { lineWidth: 0 })` of the `yaml` library
 * (2.x, core schema, block style) gives, written straight from the data instead of through the library's
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
  return stringify(value, OPTIONS);
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
  if (s.length > 1000 || !SIMPLE.test(s) || s.endsWith(':')) return false;
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

/** The caches below are emptied when they reach this size (a long-running process writing many distinct strings). */
const CACHE_LIMIT = 100_000;
const valueCache = new Map<string, string>();
const keyCache = new Map<string, string>();

/** The library's text for string `s` as a map value whose content is at indent `indent` (after `key: `). */
function libraryValue(s: string, indent: string): string {
  // Only a multi-line string depends on the indentation (block scalars, folded quotes).
  const depth = s.includes('\n') ? indent.length / 2 : 1;
  const cacheKey = `${depth}\n${s}`;
  let text = valueCache.get(cacheKey);
  if (text === undefined) {
    let wrapper: unknown = { k: s };
    for (let i = 1; i < depth; i++) wrapper = { a: wrapper };
    const out = stringify(wrapper, OPTIONS);
    const prefix = `${'  '.repeat(depth - 1)}k: `;
    const at = depth === 1 ? 0 : out.indexOf(`\n${prefix}`) + 1;
    if (!out.startsWith(prefix, at) || !out.endsWith('\n')) throw UNSUPPORTED;
    text = out.slice(at + prefix.length, -1);
    if (valueCache.size >= CACHE_LIMIT) valueCache.clear();
    valueCache.set(cacheKey, text);
  }
  return text;
}

/** The library's text for key `k` of a map at the top level (`root`) or below. */
function libraryKey(k: string, root: boolean): string {
  const cacheKey = `${root ? 1 : 0}${k}`;
  let text = keyCache.get(cacheKey);
  if (text === undefined) {
    const out = stringify(root ? { [k]: 1 } : { a: { [k]: 1 } }, OPTIONS);
    const prefix = root ? '' : 'a:\n  ';
    if (!out.startsWith(prefix) || !out.endsWith(': 1\n')) throw UNSUPPORTED;
    text = out.slice(prefix.length, -4);
    // An explicit (`? `) or multi-line key is written differently around it.
    if (text.startsWith('?') || text.includes('\n')) throw UNSUPPORTED;
    if (keyCache.size >= CACHE_LIMIT) keyCache.clear();
    keyCache.set(cacheKey, text);
  }
  return text;
}

/** Texts of single-line strings as values (the same in every context), and of keys below the top level. */
const lineValues = new Map<string, string>();
const nestedKeys = new Map<string, string>();

function stringValue(s: string, indent: string): string {
  let text = lineValues.get(s);
  if (text === undefined) {
    if (s.includes('\n')) return libraryValue(s, indent);
    text = isSimple(s) ? s : libraryValue(s, indent);
    if (lineValues.size >= CACHE_LIMIT) lineValues.clear();
    lineValues.set(s, text);
  }
  return text;
}

function keyText(k: string, root: boolean): string {
  if (root) return isSimple(k) ? k : libraryKey(k, true);
  let text = nestedKeys.get(k);
  if (text === undefined) {
    text = isSimple(k) ? k : libraryKey(k, false);
    if (nestedKeys.size >= CACHE_LIMIT) nestedKeys.clear();
    nestedKeys.set(k, text);
  }
  return text;
}

function scalar(v: unknown, indent: string): string {
  switch (typeof v) {
    case 'string': return stringValue(v, indent);
    case 'number':
      if (Number.isFinite(v)) return Object.is(v, -0) ? '-0' : JSON.stringify(v);
      return Number.isNaN(v) ? '.nan' : v < 0 ? '-.inf' : '.inf';
    case 'boolean': return v ? 'true' : 'false';
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
