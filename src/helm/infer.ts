import { KubeObject } from '../output/bundle';
import { Cond, CondAtom, Piece, TEntry, TItem, TNode, renderDocument } from './template';
import { copyData, setPath, withPaths } from '../option-paths';

/**
 * Template inference. A chart exposes some of a profile's options as Helm values. Each exposed scalar,
 * map or list gets a probe: a valid value that appears nowhere else. The profile is synthesized with
 * every probe set; wherever a probe shows up in the output, the template reads the value instead. A second
 * synth with other probes must give the same template, which proves no exposed value feeds a computed
 * field (a hash, a sum). Each boolean or enum value is flipped to each of its other values; objects, map
 * entries and list items that change become conditional on it. The tests then render the chart with helm
 * for several values files and compare it with the profile's own synth for the same values.
 */

/** How one exposed value is probed. */
export interface ProbedValue {
  readonly path: string;
  /** The profile's default: what the chart's default renders (chart defaults that differ are `chartDefault`). */
  readonly default: unknown;
  /**
   * The Go expression the templates read for this value, when not `.Values.<path>`: a Helm built-in
   * (`.Release.Name`), or the value with a default computed by the chart (the release namespace, a default
   * that depends on another value).
   */
  readonly ref?: string;
  /** The value in values.yaml when it is not `default` ('' or null: the `ref` computes it); none for built-ins. */
  readonly chartDefault?: unknown;
  /** Not in values.yaml: the template reads `ref` (a Helm built-in) only. */
  readonly builtin?: boolean;
  /** An int-or-string value (a quantity): the templates print it as text. */
  readonly intOrString?: boolean;
  /** Two different valid values that appear nowhere else in the output (none for booleans and enums). */
  readonly probes?: readonly [unknown, unknown];
  /** The other values of a boolean or enum (none for probed values). */
  readonly alternatives?: readonly (boolean | string)[];
  /** The value is an option only while other values have these values (e.g. bundle-mode options); otherwise unused. */
  readonly when?: When;
  /**
   * The construct paths (under the profile, e.g. `DevicePlugin`, `Checks`) of the only objects this switch
   * changes: switches with disjoint scopes are flipped in one synth. The generator refuses a synth whose flips
   * change an object outside all of their scopes (a change inside another flip's scope is taken as that flip's:
   * the pair tests in test/helm.test.ts are what catch a scope declared too narrow). Without a scope the switch is flipped alone.
   */
  readonly scope?: readonly string[];
  /**
   * Switches whose alternatives change what this switch's alternatives change (for example an enum that renames
   * the objects this switch edits): the later of the two in the list is also merged under each alternative of
   * the earlier. Any other pair of switches combines independently.
   */
  readonly with?: readonly string[];
}

/** What must hold for a value to be an option: another value has a value (one, or every one of a list). */
export type When = WhenAtom | readonly WhenAtom[];
export interface WhenAtom {
  readonly path: string;
  /** The value, or the values one of which it must have. */
  readonly value: boolean | string | readonly string[];
}

/**
 * The profile options for chart values: `base` with each value set, leaving out values whose `when` does not
 * hold. `valueOf` gives each value (defaults, probes or a user's values).
 */
export function optionsFromValues(
  base: Record<string, unknown>,
  values: readonly ProbedValue[],
  valueOf: (v: ProbedValue) => unknown,
): Record<string, unknown> {
  const current = new Map(values.map(v => [v.path, valueOf(v)]));
  const holds = (w: When) =>
    (Array.isArray(w) ? w : [w as WhenAtom]).every(c =>
      Array.isArray(c.value) ? c.value.includes(current.get(c.path) as string) : current.get(c.path) === c.value,
    );
  return withPaths(
    base,
    values.filter(v => !v.when || holds(v.when)).map(v => [v.path, current.get(v.path)]),
  );
}

export interface TemplateDoc {
  readonly id: string;
  /** The object as synthesized with the probes set (its file name, with probes replaced by defaults, names the template). */
  readonly object: KubeObject;
  node: TNode;
  cond: CondAtom[];
}

/**
 * A gate-mode synth of the profile (src/gates.ts): every object, and for each the gates it exists under
 * (an on/off option that is on, or a string option that is set).
 */
export type Synth = (options: Record<string, unknown>) => SynthResult;

export interface SynthResult {
  readonly objects: KubeObject[];
  readonly gates: (readonly CondAtom[])[];
  /**
   * What identifies each object across synths (construct paths): an object a switch renames stays one
   * template with a conditional name. Without, kind, namespace and name do.
   */
  readonly ids?: readonly string[];
}

/** The synth's objects by identity. */
function byIdentity(r: SynthResult): Map<string, { object: KubeObject; gates: readonly CondAtom[] }> {
  return new Map(r.objects.map((o, i) => [r.ids?.[i] ?? objectId(o), { object: o, gates: r.gates[i] }]));
}

export { getPath, setPath } from '../option-paths';

const objectId = (o: KubeObject) => `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

// ---------------------------------------------------------------------------------------------------------
// Probes → template nodes

/**
 * A named template of templates/_helpers.tpl that prints a block of map entries (labels): a map holding every
 * one of `entries` (keys and templated values as templatize makes them) gets `{{ include name . }}` instead.
 */
export interface Helper {
  readonly name: string;
  readonly entries: Readonly<Record<string, TNode>>;
}

interface ProbeSet {
  readonly helpers: readonly Helper[];
  /** Values whose '' means unset: a map entry that is only that value is left out then. */
  readonly optional: ReadonlySet<string>;
  readonly numbers: { path: string; n: number }[];
  /** List probes; a list of strings also matches as `{name: item}` objects (`named`: image pull secrets). */
  readonly lists: { path: string; json: string[]; named?: boolean }[];
  readonly maps: { path: string; entries: [string, string][] }[]; // [key, canonical JSON of the value]
  /** Every string and number probe in one pattern (longer texts first), and the piece each text stands for. */
  readonly scan?: RegExp;
  readonly pieceOf: Map<string, Piece>;
}

/**
 * JSON with map keys sorted, for comparisons (written out by hand, not fast-json-stable-stringify or
 * json-stable-stringify: it is memoized per object in a WeakMap, since it runs on every document many times).
 */
const canonicals = new WeakMap<object, string>();

function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  // Synthesized objects are never changed after templatize reads them: one canonical form each.
  let known = canonicals.get(v);
  if (known === undefined) canonicals.set(v, (known = canonicalOf(v)));
  return known;
}

function canonicalOf(v: object): string {
  if (Array.isArray(v)) return `[${v.map(x => (x === undefined ? 'null' : canonical(x))).join(',')}]`;
  const obj = v as Record<string, unknown>;
  const parts: string[] = [];
  for (const k of Object.keys(obj).sort()) {
    if (obj[k] !== undefined) parts.push(`${JSON.stringify(k)}:${canonical(obj[k])}`);
  }
  return `{${parts.join(',')}}`;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A number as a pattern that does not match inside a longer number (`23` is not in `1230` or `2.3`). */
const numberPattern = (n: number): string => `(?<![\\d.])${escapeRegExp(String(n))}(?![\\d.])`;

function probeSet(values: readonly ProbedValue[], which: 0 | 1, helpers: readonly Helper[] = []): ProbeSet {
  const optional = new Set(values.filter(v => v.chartDefault === '' && !v.ref).map(v => v.path));
  const set = { helpers, optional, numbers: [], lists: [], maps: [], pieceOf: new Map() } as {
    -readonly [K in keyof ProbeSet]: ProbeSet[K];
  };
  const strings: { path: string; text: string; intOrString?: boolean }[] = [];
  // Lists of two or more numbers also match where a script prints them joined (`4,16,64`, `4 16 64`).
  const joined: { path: string; text: string; join: string }[] = [];
  for (const v of values) {
    if (!v.probes) continue;
    const p = v.probes[which];
    if (typeof p === 'string') strings.push({ path: v.ref ?? v.path, text: p, ...(v.intOrString ? { intOrString: true } : {}) });
    else if (typeof p === 'number') set.numbers.push({ path: v.ref ?? v.path, n: p });
    else if (Array.isArray(p)) {
      set.lists.push({ path: v.path, json: p.map(canonical) });
      if (p.length > 0 && p.every(x => typeof x === 'string'))
        set.lists.push({ path: v.path, json: p.map(x => canonical({ name: x })), named: true });
      if (p.length > 1 && p.every(x => typeof x === 'number'))
        for (const join of [',', ' ']) joined.push({ path: v.path, text: p.join(join), join });
    } else if (p && typeof p === 'object')
      set.maps.push({ path: v.path, entries: Object.entries(p as Record<string, unknown>).map(([k, x]) => [k, canonical(x)]) });
  }
  // Longer texts first, so a probe that contains another wins; for equal texts a string probe wins over a
  // number (the sort is stable and strings come first).
  const needles = [
    ...strings.map(x => ({
      text: x.text,
      pattern: escapeRegExp(x.text),
      piece: { path: x.path, number: false, ...(x.intOrString ? { intOrString: true } : {}) } as Piece,
    })),
    ...joined.map(x => ({
      text: x.text,
      pattern: `(?<![\\d.])${escapeRegExp(x.text)}(?![\\d.])`,
      piece: { path: x.path, number: false, join: x.join } as Piece,
    })),
    ...set.numbers.map(x => ({ text: String(x.n), pattern: numberPattern(x.n), piece: { path: x.path, number: true } })),
  ].sort((a, b) => b.text.length - a.text.length);
  for (const n of needles) if (!set.pieceOf.has(n.text)) set.pieceOf.set(n.text, n.piece);
  if (needles.length > 0) set.scan = new RegExp(needles.map(n => n.pattern).join('|'), 'g');
  return set;
}

function splitString(s: string, probes: ProbeSet): Piece[] {
  if (!probes.scan) return [{ text: s }];
  const pieces: Piece[] = [];
  let last = 0;
  probes.scan.lastIndex = 0;
  for (let m = probes.scan.exec(s); m; m = probes.scan.exec(s)) {
    if (m.index > last) pieces.push({ text: s.slice(last, m.index) });
    pieces.push(probes.pieceOf.get(m[0])!);
    last = m.index + m[0].length;
  }
  if (last < s.length || pieces.length === 0) pieces.push({ text: s.slice(last) });
  return pieces;
}

/** Whether a probe already occurs in the default output (as a whole number, or anywhere for text). */
function occursIn(objects: unknown, probe: unknown): boolean {
  if (typeof probe === 'number') {
    let found = false;
    JSON.stringify(objects, (_k, v) => {
      if (v === probe || (typeof v === 'string' && new RegExp(numberPattern(probe)).test(v))) found = true;
      return v;
    });
    return found;
  }
  return typeof probe === 'string' && JSON.stringify(objects).includes(probe);
}

const isLiteral = (n: TNode) => n.t === 'lit';

/** A string holding a JSON object or array (CNI configurations, IPAM documents). */
function isJsonDocument(s: string): boolean {
  if (!/^\s*[[{]/.test(s)) return false;
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

const LAYOUT_INDEX_KEYS = ['networkCardIndex', 'deviceIndex'];

function templatize(v: unknown, probes: ProbeSet): TNode {
  if (typeof v === 'string') {
    const pieces = splitString(v, probes);
    return pieces.every(p => 'text' in p) ? { t: 'lit', v } : { t: 'str', pieces, ...(isJsonDocument(v) ? { json: true } : {}) };
  }
  if (typeof v === 'number') {
    const hit = probes.numbers.find(x => x.n === v);
    return hit ? { t: 'num', path: hit.path } : { t: 'lit', v };
  }
  if (Array.isArray(v)) {
    const items: TItem[] = [];
    const json = v.map(canonical);
    for (let i = 0; i < v.length;) {
      const run = probes.lists.find(l => l.json.length > 0 && l.json.every((j, k) => json[i + k] === j));
      if (run) {
        items.push({ splice: run.path, ...(run.named ? { named: true } : {}), cond: [] });
        i += run.json.length;
      } else {
        items.push({ node: templatize(v[i], probes), cond: [] });
        i++;
      }
    }
    if (items.every(x => x.node && isLiteral(x.node))) return { t: 'lit', v };
    return { t: 'list', items };
  }
  if (v && typeof v === 'object') {
    const obj = v as Record<string, unknown>;
    // Indices of a layout (an EC2NodeClass's network interfaces) count positions: never a value, whatever a probe is.
    if (LAYOUT_INDEX_KEYS.some(k => typeof obj[k] === 'number')) return { t: 'lit', v };
    const entries: TEntry[] = [];
    const spliced = new Set<string>();
    for (const m of probes.maps) {
      if (m.entries.every(([k, x]) => k in obj && canonical(obj[k]) === x) && m.entries.length < Object.keys(obj).length) {
        for (const [k] of m.entries) spliced.add(k);
        entries.push({ key: [], splice: m.path, cond: [] });
      }
    }
    for (const [k, x] of Object.entries(obj)) {
      if (spliced.has(k)) continue;
      const key = splitString(k, probes);
      const whole = wholeValue(x, probes);
      if (whole) {
        entries.push({ key, whole: whole.path, ...(whole.named ? { named: true } : {}), cond: [] });
      } else {
        const node = templatize(x, probes);
        const only = node.t === 'str' && node.pieces.length === 1 ? node.pieces[0] : undefined;
        if (only && 'path' in only && probes.optional.has(only.path)) {
          entries.push({ key, node, cond: [{ path: only.path, op: 'ne', value: '' }] });
        } else if (
          node.t === 'map' &&
          node.entries.length > 0 &&
          node.entries.every(
            e =>
              e.node?.t === 'str' &&
              e.cond.length === 1 &&
              e.cond[0].op === 'ne' &&
              e.cond[0].value === '' &&
              e.cond[0].path === node.entries[0].cond[0].path,
          )
        ) {
          // A map of nothing but one optional value (`operand: {image: …}`) is left out with it.
          const cond = node.entries[0].cond;
          entries.push({ key, node: { t: 'map', entries: node.entries.map(e => ({ ...e, cond: [] })) }, cond });
        } else {
          entries.push({ key, node, cond: [] });
        }
      }
    }
    if (entries.every(e => e.node && isLiteral(e.node) && e.key.every(p => 'text' in p))) return { t: 'lit', v };
    return { t: 'map', entries: withHelpers(entries, probes.helpers) };
  }
  return { t: 'lit', v };
}

/** The entries with the first helper (the largest come first) whose every entry they hold replaced by its include. */
function withHelpers(entries: TEntry[], helpers: readonly Helper[]): TEntry[] {
  const textKey = (e: TEntry) => (e.key.length === 1 && 'text' in e.key[0] && e.node ? e.key[0].text : undefined);
  for (const h of helpers) {
    const keys = Object.keys(h.entries);
    const hits = entries.filter(e => {
      const k = textKey(e);
      return k !== undefined && k in h.entries && canonical(e.node) === canonical(h.entries[k]);
    });
    if (hits.length !== keys.length) continue;
    const at = entries.indexOf(hits[0]);
    const rest = entries.filter(e => !hits.includes(e));
    rest.splice(at, 0, { key: [], include: h.name, cond: [] });
    return rest;
  }
  return entries;
}

/** The values path whose list or map equals `x` entirely, if any. */
function wholeValue(x: unknown, probes: ProbeSet): { path: string; named?: boolean } | undefined {
  if (Array.isArray(x)) {
    const json = x.map(canonical);
    return probes.lists.find(l => l.json.length === json.length && l.json.every((j, i) => json[i] === j));
  }
  if (x && typeof x === 'object') {
    const obj = x as Record<string, unknown>;
    return probes.maps.find(
      m => m.entries.length === Object.keys(obj).length && m.entries.every(([k, v]) => k in obj && canonical(obj[k]) === v),
    );
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Merging the template of an alternative (one boolean or enum value flipped) into the template so far

type Assignment = ReadonlyMap<string, unknown>;

/** Whether `cond` holds under `asg`; atoms on paths `asg` does not assign (gates) are taken to hold. */
function holds(cond: Cond, asg: Assignment): boolean {
  return cond.every(a => !asg.has(a.path) || (asg.get(a.path) === a.value) === (a.op === 'eq'));
}

function expand(n: TNode): TNode {
  if (n.t !== 'lit' || n.v === null || typeof n.v !== 'object') return n;
  if (Array.isArray(n.v)) return { t: 'list', items: n.v.map(v => ({ node: { t: 'lit', v } as TNode, cond: [] })) };
  return {
    t: 'map',
    entries: Object.entries(n.v as object).map(([k, v]) => ({ key: [{ text: k }], node: { t: 'lit', v } as TNode, cond: [] })),
  };
}

/**
 * A representation-independent form of the content active under `asg`, as a string for comparisons: a literal
 * map or list and the same content spelled out as entries or items give the same string.
 */
function project(n: TNode, asg: Assignment, cache?: WeakMap<TNode, string>): string {
  const known = cache?.get(n);
  if (known !== undefined) return known;
  const text = projectOf(n, asg, cache);
  cache?.set(n, text);
  return text;
}

function projectOf(n: TNode, asg: Assignment, cache?: WeakMap<TNode, string>): string {
  const e = expand(n);
  switch (e.t) {
    case 'lit':
      return `{"v":${canonical(e.v)}}`;
    case 'str':
      return `{"s":${canonical(e.pieces)}}`;
    case 'num':
      return `{"n":${JSON.stringify(e.path)}}`;
    case 'map': {
      const pairs = e.entries
        .filter(x => holds(x.cond, asg))
        .map(x => [entryId(x), x.node ? project(x.node, asg, cache) : 'null'] as const);
      pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      return `{"m":[${pairs.map(([id, v]) => `[${JSON.stringify(id)},${v}]`).join(',')}]}`;
    }
    case 'list':
      return `{"l":[${e.items
        .filter(x => holds(x.cond, asg))
        .map(x => (x.node ? project(x.node, asg, cache) : canonical({ splice: x.splice })))
        .join(',')}]}`;
  }
}

const entryIds = new WeakMap<TEntry, string>();

/** What identifies a map entry across variants (cached: entries keep their key, splice and whole). */
function entryId(e: TEntry): string {
  let id = entryIds.get(e);
  if (id === undefined) {
    // The common case, a plain text key, spelled out (the same string JSON.stringify gives).
    const k = e.key[0];
    id =
      !e.splice && !e.whole && !e.include && e.key.length === 1 && 'text' in k
        ? `{"key":[{"text":${JSON.stringify(k.text)}}]}`
        : JSON.stringify(
            e.include
              ? { include: e.include }
              : e.splice
                ? { splice: e.splice }
                : e.whole
                  ? { key: e.key, whole: e.whole, named: e.named }
                  : { key: e.key },
          );
    entryIds.set(e, id);
  }
  return id;
}

const same = (a: TNode, b: TNode, asg: Assignment, cache?: WeakMap<TNode, string>) => project(a, asg, cache) === project(b, asg, cache);

interface MergeCtx {
  readonly asg: Assignment;
  /** The alternative being merged (value = alt). */
  readonly eq: CondAtom;
  readonly ne: CondAtom;
  /** An earlier alternative the merge happens under (pairs of switches), if any. */
  readonly context?: readonly CondAtom[];
  /**
   * Projections of nodes under `asg` during one document's merge: a merge compares a node before it changes
   * anything under it, so each node is projected once.
   */
  readonly cache?: WeakMap<TNode, string>;
}

const negate = (a: CondAtom): CondAtom => ({ ...a, op: a.op === 'eq' ? 'ne' : 'eq' });

/** Conditions of content that appears only under the alternative (and the context). */
const addedCond = (ctx: MergeCtx): CondAtom[] => [...(ctx.context ?? []), ctx.eq];

/** Whether `cond` keeps an atom on `path` of the alternative or its context (those the merge adds anew). */
const notMerged = (ctx: MergeCtx) => (x: CondAtom) => x.path !== ctx.eq.path && !(ctx.context ?? []).some(c => c.path === x.path);

/**
 * Makes `x` (an entry, item or document of `list`) absent under the alternative. Under a context (atoms
 * a1..ak that `x` does not already require) the absence is scoped to it: `x` stays as it was outside the
 * context (`x` where not a1, copies where a1 but not a2, ...) and a last copy, for inside it, gets the
 * alternative's negation (placed after `x`, and returned).
 */
function exclude<T extends { cond: Cond }>(list: T[], x: T, ctx: MergeCtx): T | undefined {
  const atoms = (ctx.context ?? []).filter(c => !x.cond.some(a => a.path === c.path && a.op === 'eq' && a.value === c.value));
  if (atoms.length === 0) {
    x.cond = [...x.cond, ctx.ne];
    return undefined;
  }
  const base = x.cond;
  const outside = atoms.map((a, i) => [...base, ...atoms.slice(0, i), negate(a)]);
  const copies = outside.slice(1).map(cond => ({ ...copyData(x), cond }));
  const inside = { ...copyData(x), cond: [...base, ...atoms, ctx.ne] };
  x.cond = outside[0];
  list.splice(list.indexOf(x) + 1, 0, ...copies, inside);
  return inside;
}

/** Merges `next` (the content under the alternative) into `cur`; undefined when they cannot share a node. */
function mergeNode(cur: TNode, next: TNode, ctx: MergeCtx): TNode | undefined {
  if (same(cur, next, ctx.asg, ctx.cache)) return cur;
  const a = expand(cur);
  const b = expand(next);
  if (a.t === 'map' && b.t === 'map') {
    mergeEntries(a.entries, b.entries, ctx);
    return a;
  }
  if (a.t === 'list' && b.t === 'list') {
    mergeItems(a.items, b.items, ctx);
    return a;
  }
  return undefined;
}

function mergeEntries(cur: TEntry[], next: readonly TEntry[], ctx: MergeCtx): void {
  const matched = new Set<TEntry>();
  let insertAt = 0;
  for (const n of next) {
    const id = entryId(n);
    const i = cur.findIndex(c => !matched.has(c) && holds(c.cond, ctx.asg) && entryId(c) === id);
    if (i < 0) {
      // A key that was there in another form (a whole values map, now a map of entries) is replaced: the new
      // form holds only where the old one held (it is excluded below).
      const old =
        n.key.length > 0
          ? cur.find(
              c => !matched.has(c) && holds(c.cond, ctx.asg) && !c.splice && !c.include && JSON.stringify(c.key) === JSON.stringify(n.key),
            )
          : undefined;
      const was = old ? old.cond.filter(notMerged(ctx)) : [];
      const added = { ...n, cond: [...was, ...addedCond(ctx)] };
      matched.add(added);
      cur.splice(insertAt, 0, added);
      insertAt++;
      continue;
    }
    const c = cur[i];
    matched.add(c);
    insertAt = i + 1;
    if (!c.node || !n.node) continue;
    const merged = mergeNode(c.node, n.node, ctx);
    if (merged) {
      c.node = merged;
    } else {
      // The replacement holds only where the entry it replaces held (and under the alternative): another
      // switch's replacement of the same entry then never holds at the same time as this one.
      const was = c.cond.filter(notMerged(ctx));
      const copy = exclude(cur, c, ctx);
      if (copy) matched.add(copy);
      const added = { ...n, cond: [...was, ...addedCond(ctx)] };
      matched.add(added);
      const at = cur.indexOf(copy ?? c) + 1;
      cur.splice(at, 0, added);
      insertAt = at + 1;
    }
  }
  for (const c of [...cur]) {
    if (!matched.has(c) && holds(c.cond, ctx.asg)) exclude(cur, c, ctx);
  }
}

function mergeItems(cur: TItem[], next: readonly TItem[], ctx: MergeCtx): void {
  const active = cur.filter(c => holds(c.cond, ctx.asg));
  const key = (x: TItem) => (x.node ? project(x.node, ctx.asg, ctx.cache) : canonical({ splice: x.splice }));
  const ka = active.map(key);
  const kb = next.map(key);
  // Longest common subsequence of the active items and the new ones.
  const L: number[][] = Array.from({ length: ka.length + 1 }, () => new Array(kb.length + 1).fill(0));
  for (let i = ka.length - 1; i >= 0; i--) {
    for (let j = kb.length - 1; j >= 0; j--) L[i][j] = ka[i] === kb[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  }
  const gaps: { olds: TItem[]; news: TItem[]; after?: TItem }[] = [];
  let gap: { olds: TItem[]; news: TItem[]; after?: TItem } = { olds: [], news: [] };
  let i = 0;
  let j = 0;
  while (i < ka.length || j < kb.length) {
    if (i < ka.length && j < kb.length && ka[i] === kb[j]) {
      gaps.push(gap);
      gap = { olds: [], news: [], after: active[i] };
      i++;
      j++;
    } else if (j < kb.length && (i >= ka.length || L[i][j + 1] >= L[i + 1][j])) {
      gap.news.push(next[j++]);
    } else {
      gap.olds.push(active[i++]);
    }
  }
  gaps.push(gap);
  for (const g of gaps) {
    if (g.olds.length === 0 && g.news.length === 0) continue;
    const added: TItem[] = [];
    if (g.olds.length === g.news.length) {
      g.olds.forEach((o, k) => {
        const n = g.news[k];
        const merged = o.node && n.node ? mergeNode(o.node, n.node, ctx) : undefined;
        if (merged) {
          o.node = merged;
        } else {
          const was = o.cond.filter(notMerged(ctx));
          exclude(cur, o, ctx);
          added.push({ ...n, cond: [...was, ...addedCond(ctx)] });
        }
      });
    } else {
      for (const o of g.olds) exclude(cur, o, ctx);
      added.push(...g.news.map(n => ({ ...n, cond: addedCond(ctx) })));
    }
    // Right after the gap's last old item (a copy exclude() placed there is exclusive with the new items).
    const anchor = g.olds.length > 0 ? g.olds[g.olds.length - 1] : g.after;
    const at = anchor ? cur.indexOf(anchor) + 1 : 0;
    cur.splice(at, 0, ...added);
  }
}

// ---------------------------------------------------------------------------------------------------------

export class ChartInferenceError extends Error {}

function docsOf(r: SynthResult, probes: ProbeSet): Map<string, { object: KubeObject; node: TNode }> {
  const out = new Map<string, { object: KubeObject; node: TNode }>();
  for (const [id, { object }] of byIdentity(r)) out.set(id, { object, node: templatize(object, probes) });
  return out;
}

function referenced(n: TNode | undefined, into: Set<string>): void {
  if (!n) return;
  if (n.t === 'str') for (const p of n.pieces) if ('path' in p) into.add(p.path);
  if (n.t === 'num') into.add(n.path);
  if (n.t === 'map') {
    for (const e of n.entries) {
      for (const p of e.key) if ('path' in p) into.add(p.path);
      if (e.splice) into.add(e.splice);
      if (e.whole) into.add(e.whole);
      referenced(e.node, into);
    }
  }
  if (n.t === 'list')
    for (const it of n.items) {
      if (it.splice) into.add(it.splice);
      referenced(it.node, into);
    }
}

function condPaths(n: TNode | undefined, into: Set<string>): void {
  if (!n) return;
  const note = (c: Cond) => c.forEach(a => into.add(a.path));
  if (n.t === 'map')
    for (const e of n.entries) {
      note(e.cond);
      condPaths(e.node, into);
    }
  if (n.t === 'list')
    for (const it of n.items) {
      note(it.cond);
      condPaths(it.node, into);
    }
}

export interface InferOptions {
  /**
   * Also check what the tests rely on (the generator skips it, each check costs synths): the defaults are the
   * profile's own, no probe occurs in the default output, and a second set of probes gives the same templates
   * (no exposed value feeds a computed field).
   * @default false
   */
  readonly verify?: boolean;
  /** Label blocks the templates include from templates/_helpers.tpl. */
  readonly helpers?: readonly Helper[];
}

/** The checks of InferOptions.verify. */
function verifyProbes(
  synth: Synth,
  base: Record<string, unknown>,
  values: readonly ProbedValue[],
  docs: Map<string, { node: TNode }>,
  helpers?: readonly Helper[],
): void {
  const defaults = optionsFromValues(base, values, v => v.default);
  // The defaults must be the profile's own: values.yaml then synthesizes exactly what the profile does.
  const plain = synth(base).objects;
  if (canonical(synth(defaults).objects) !== canonical(plain)) {
    const culprit = values.find(v => !v.when && canonical(synth(setPath(base, v.path, v.default)).objects) !== canonical(plain));
    throw new ChartInferenceError(
      `the chart default of ${culprit?.path ?? 'a combination of values'} (${JSON.stringify(culprit?.default)}) is not the profile's`,
    );
  }
  for (const v of values) {
    for (const p of v.probes ?? []) {
      if (occursIn(plain, p))
        throw new ChartInferenceError(
          `probe ${JSON.stringify(p)} of ${v.path} already appears in the default output; pick a distinctive probe`,
        );
    }
  }
  // Computed fields: a second set of probes must give the same templates (rendered only to show a difference).
  const second = docsOf(synth(optionsFromValues(base, values, v => (v.probes ? v.probes[1] : v.default))), probeSet(values, 1, helpers));
  const nodes = (d: Map<string, { node: TNode }>) => JSON.stringify([...d.values()].map(x => x.node));
  if (nodes(docs) !== nodes(second)) {
    const render = (d: Map<string, { node: TNode }>) => [...d.values()].map(x => renderDocument(x.node, []));
    const [r1, r2] = [render(docs), render(second)];
    for (let i = 0; i < Math.max(r1.length, r2.length); i++) {
      if (r1[i] !== r2[i]) {
        const l1 = (r1[i] ?? '').split('\n');
        const l2 = (r2[i] ?? '').split('\n');
        const at = l1.findIndex((line, k) => line !== l2[k]);
        throw new ChartInferenceError(
          `an exposed value feeds a computed field: ${JSON.stringify(l1[at])} became ${JSON.stringify(l2[at])}`,
        );
      }
    }
  }
}

/**
 * Infers the chart templates of a profile. `base` holds options baked into the chart (not values);
 * `values` are the exposed ones. One gate-mode synth with the probes set gives every object, its value
 * references and the gates it exists under; each switch that is not a gate is then flipped to each of its
 * other values (and merged under the alternatives of the switches it names in `with`). Returns one template
 * per object of every synthesized variant.
 */
export function inferTemplates(
  synth: Synth,
  base: Record<string, unknown>,
  values: readonly ProbedValue[],
  opts: InferOptions = {},
): TemplateDoc[] {
  const probed = (which: 0 | 1, flips: Assignment = new Map()) =>
    optionsFromValues(base, values, v => (flips.has(v.path) ? flips.get(v.path) : v.probes ? v.probes[which] : v.default));
  const probes = probeSet(values, 0, opts.helpers);
  const first = synth(probed(0));
  const docs = docsOf(first, probes);
  if (opts.verify) verifyProbes(synth, base, values, docs, opts.helpers);
  // Boolean gates (on/off switches built in gate mode); the other atoms are on probed values (set or unset).
  const gatePaths = new Set(
    first.gates
      .flat()
      .filter(a => a.value === true)
      .map(a => a.path),
  );
  for (const path of gatePaths) {
    const v = values.find(x => x.path === path);
    if (v && typeof v.default !== 'boolean') throw new ChartInferenceError(`gate ${path} must be a boolean value`);
  }

  const firstById = byIdentity(first);
  const result: TemplateDoc[] = [...docs.entries()].map(([id, d]) => ({
    id,
    object: d.object,
    node: d.node,
    cond: [...firstById.get(id)!.gates],
  }));
  // Per document, the synthesized JSON found the same as its node, keyed with the values of the switches its
  // conditions read (nothing else changes what the node holds): a later synth with the same key skips building
  // and comparing a template. A probed document starts with its own JSON (its node has no conditions yet);
  // the memo is forgotten when the node changes.
  const sameAs = new Map<TemplateDoc, { paths: string[]; keys: Set<string> }>(
    result.map(d => [d, { paths: [], keys: new Set([`\n${JSON.stringify(d.object)}`]) }]),
  );
  const sameKey = (doc: TemplateDoc, json: string, asg: Assignment) => {
    let memo = sameAs.get(doc);
    if (!memo) {
      const paths = new Set<string>();
      condPaths(doc.node, paths);
      sameAs.set(doc, (memo = { paths: [...paths].sort(), keys: new Set() }));
    }
    return { memo, key: `${memo.paths.map(p => (asg.has(p) ? JSON.stringify(asg.get(p)) : '-')).join(',')}\n${json}` };
  };
  // Gates are not flipped, and hold in every flip (the objects they gate are in every gate-mode synth).
  const switches = values.filter(v => v.alternatives && !gatePaths.has(v.path));
  const defaultAsg = new Map(switches.map(v => [v.path, v.default]));
  const interacts = (v: ProbedValue, path: string) =>
    v.with?.includes(path) || switches.some(w => w.path === path && w.with?.includes(v.path));
  const earlier: CondAtom[] = [];
  for (const batch of flipBatches(switches, interacts)) {
    // Each flip of the batch (at most one alternative per switch, scopes disjoint) is merged into the objects of
    // its scope, alone; a flip without a scope is alone in its batch, merged into every object, and again under
    // each alternative of the earlier switches it names in `with` (so pairs that interact come out right).
    const solo = batch.length === 1 && !batch[0].v.scope;
    const contexts: (CondAtom | undefined)[] = solo
      ? [undefined, ...earlier.filter(c => c.path !== batch[0].v.path && interacts(batch[0].v, c.path))]
      : [undefined];
    const changed = new Set<Flip>();
    for (const context of contexts) {
      // A flip happens where its value is an option (its `when`, where the defaults do not already hold it) and,
      // for a pair, under the earlier alternative: those atoms are its context.
      const ctxAtoms = (f: Flip): CondAtom[] => [
        ...(context ? [context] : []),
        ...whenAtoms(f.v).filter(w => w.path !== context?.path && defaultAsg.get(w.path) !== w.value),
      ];
      const all = new Map(defaultAsg);
      for (const f of batch) for (const a of ctxAtoms(f)) all.set(a.path, a.value);
      for (const f of batch) all.set(f.v.path, f.alt);
      const ctxOf = new Map(
        batch.map(f => {
          const asg = new Map(defaultAsg);
          for (const a of ctxAtoms(f)) asg.set(a.path, a.value);
          asg.set(f.v.path, f.alt);
          const eq: CondAtom = { path: f.v.path, op: 'eq', value: f.alt };
          const atoms = ctxAtoms(f);
          return [f, { asg, eq, ne: negate(eq), ...(atoms.length > 0 ? { context: atoms } : {}) } as MergeCtx];
        }),
      );
      const ownerOf = (id: string): Flip | undefined => (solo ? batch[0] : batch.find(f => inScope(id, f.v.scope!)));
      let alt: Map<string, { object: KubeObject; gates: readonly CondAtom[] }>;
      try {
        alt = byIdentity(synth(probed(0, all)));
      } catch (e) {
        // A pair the profile refuses (each alone is fine) is not a valid input; the chart renders it as it may.
        if (context) continue;
        throw new ChartInferenceError(`${batch.map(f => `${f.v.path}=${JSON.stringify(f.alt)}`).join(', ')}: ${(e as Error).message}`);
      }
      const outside = (id: string) =>
        new ChartInferenceError(
          `${batch.map(f => `${f.v.path}=${JSON.stringify(f.alt)}`).join(', ')} changed ${id}, which is outside the declared scopes (${batch.map(f => `${f.v.path}: ${f.v.scope?.join(', ')}`).join('; ')})`,
        );
      for (const doc of [...result]) {
        const owner = ownerOf(doc.id);
        // The flips leave an object outside their scopes as the defaults have it.
        const ctx = owner ? ctxOf.get(owner)! : undefined;
        const asg = ctx?.asg ?? defaultAsg;
        if (!holds(doc.cond, asg)) continue;
        const o = alt.get(doc.id);
        if (!o) {
          if (!owner) throw outside(doc.id);
          exclude(result, doc, ctx!);
          changed.add(owner);
          continue;
        }
        alt.delete(doc.id);
        const { memo, key } = sameKey(doc, JSON.stringify(o.object), asg);
        if (memo.keys.has(key)) continue;
        const node = templatize(o.object, probes);
        const cache = new WeakMap<TNode, string>();
        if (same(doc.node, node, asg, cache)) {
          memo.keys.add(key);
        } else {
          if (!owner) throw outside(doc.id);
          changed.add(owner);
          doc.node = mergeNode(doc.node, node, { ...ctx!, cache })!;
          sameAs.delete(doc);
        }
      }
      for (const [id, x] of alt) {
        const owner = ownerOf(id);
        if (!owner) throw outside(id);
        changed.add(owner);
        result.push({ id, object: x.object, node: templatize(x.object, probes), cond: [...x.gates, ...addedCond(ctxOf.get(owner)!)] });
      }
    }
    for (const f of batch) {
      if (!changed.has(f))
        throw new ChartInferenceError(`${f.v.path}=${JSON.stringify(f.alt)} changes nothing in the output; do not expose it`);
      earlier.push({ path: f.v.path, op: 'eq', value: f.alt });
    }
  }

  const simplified = simplifyTemplates(result, values);
  const used = new Set<string>();
  for (const d of simplified) {
    referenced(d.node, used);
    condPaths(d.node, used);
    d.cond.forEach(a => used.add(a.path));
  }
  for (const v of values) {
    if (!used.has(v.ref ?? v.path)) throw new ChartInferenceError(`value ${v.path} does not appear in any object; do not expose it`);
  }
  return simplified;
}

/** The `when` atoms of a value that name one value (an assignment a flip can make). */
function whenAtoms(v: ProbedValue): CondAtom[] {
  if (!v.when) return [];
  const atoms = Array.isArray(v.when) ? v.when : [v.when as WhenAtom];
  return atoms.filter(a => !Array.isArray(a.value)).map(a => ({ path: a.path, op: 'eq', value: a.value as boolean | string }));
}

/** One alternative of a switch. */
interface Flip {
  readonly v: ProbedValue;
  readonly alt: boolean | string;
}

/** Whether an object id (`<kind>:<profile>/<construct path>`) lies under one of the construct paths of a scope. */
function inScope(id: string, scope: readonly string[]): boolean {
  const path = id
    .slice(id.indexOf(':') + 1)
    .split('/')
    .slice(1)
    .join('/');
  return scope.some(s => path === s || path.startsWith(`${s}/`));
}

const disjoint = (a: readonly string[], b: readonly string[]) =>
  a.every(x => b.every(y => x !== y && !x.startsWith(`${y}/`) && !y.startsWith(`${x}/`)));

/**
 * The flips in synths: flips of switches with disjoint scopes share one synth (at most one alternative per
 * switch); a switch without a scope, or one that interacts with another (`with`), is flipped alone.
 */
function flipBatches(switches: readonly ProbedValue[], interacts: (v: ProbedValue, path: string) => boolean | undefined): Flip[][] {
  const batches: Flip[][] = [];
  for (const v of switches) {
    const alone = !v.scope || switches.some(w => w !== v && interacts(v, w.path));
    for (const alt of v.alternatives ?? []) {
      const f = { v, alt };
      const batch = alone ? undefined : batches.find(b => b.every(g => g.v.scope && g.v !== v && disjoint(g.v.scope, v.scope!)));
      if (batch) batch.push(f);
      else batches.push([f]);
    }
  }
  return batches;
}

// ---------------------------------------------------------------------------------------------------------
// Simplifying conditions: no block that can never render, no condition its enclosing blocks already imply

/** The values each switch can take (booleans and enums); other paths are unconstrained. */
export type Domains = ReadonlyMap<string, readonly (boolean | string)[]>;

export function domainsOf(values: readonly ProbedValue[]): Domains {
  return new Map(values.filter(v => v.alternatives).map(v => [v.path, [v.default as boolean | string, ...v.alternatives!]]));
}

/** Whether some assignment of the switches satisfies every atom. */
export function satisfiable(cond: Cond, domains: Domains): boolean {
  const byPath = new Map<string, CondAtom[]>();
  for (const a of cond) byPath.set(a.path, [...(byPath.get(a.path) ?? []), a]);
  for (const [path, atoms] of byPath) {
    const domain: readonly unknown[] = domains.get(path) ?? [...new Set([...atoms.map(a => a.value), Symbol('other')])];
    if (!domain.some(x => atoms.every(a => (x === a.value) === (a.op === 'eq')))) return false;
  }
  return true;
}

/** Whether `context` implies `atom`. */
const implies = (context: Cond, atom: CondAtom, domains: Domains) => !satisfiable([...context, negate(atom)], domains);

/** `cond` without the atoms `context` (and the atoms kept before them) already imply; undefined when it cannot hold. */
function reduce(cond: Cond, context: Cond, domains: Domains): Cond | undefined {
  if (!satisfiable([...context, ...cond], domains)) return undefined;
  const kept: CondAtom[] = [];
  for (const a of cond) {
    if (!implies([...context, ...kept], a, domains) && !kept.some(k => k.path === a.path && k.op === a.op && k.value === a.value))
      kept.push(a);
  }
  return kept;
}

/** An enum atom `ne x` of a two-valued switch as `eq` the other value (it reads better). */
function positive(a: CondAtom, domains: Domains): CondAtom {
  const d = domains.get(a.path);
  if (a.op !== 'ne' || typeof a.value !== 'string' || !d || d.length !== 2) return a;
  return { path: a.path, op: 'eq', value: d.find(x => x !== a.value)! };
}

/** Whether exactly one of two atoms holds under every assignment (an `if` and its `else`). */
const complementary = (a: CondAtom, b: CondAtom, domains: Domains) =>
  !satisfiable([a, b], domains) && !satisfiable([negate(a), negate(b)], domains);

/** A one-atom `eq` condition on a string value: one value of an enum. */
const enumValue = (c: Cond): CondAtom | undefined =>
  c.length === 1 && c[0].op === 'eq' && typeof c[0].value === 'string' ? c[0] : undefined;

/**
 * Joins siblings into `if`/`else` blocks: a sibling whose one-atom condition complements the one before it is
 * that block's `else`; siblings that each hold one value of the same enum are an `if`/`else if` chain, and a
 * sibling after them that holds for every other value (`ne` each of theirs) is its `else`.
 */
function pairElses<T extends { cond: Cond; else?: boolean; elseIf?: boolean }>(siblings: T[], domains: Domains): T[] {
  for (let i = 0; i + 1 < siblings.length; i++) {
    const [a, b] = [siblings[i], siblings[i + 1]];
    if (a.cond.length === 1 && b.cond.length === 1 && complementary(a.cond[0], b.cond[0], domains)) {
      siblings[i + 1] = { ...b, else: true };
      i++;
      continue;
    }
    // The default's block first (`ne` each other value), the other values' blocks right after it: the same chain,
    // with the default as its `else`. Only one of them renders, at this place, so the order can change.
    if (a.cond.length > 1 && a.cond.every(x => x.op === 'ne' && typeof x.value === 'string' && x.path === a.cond[0].path)) {
      const others = a.cond.map(x => x.value as string);
      const run = siblings.slice(i + 1, i + 1 + others.length);
      const runValues = run
        .map(x => enumValue(x.cond))
        .filter(v => v?.path === a.cond[0].path)
        .map(v => v!.value as string);
      if (runValues.length === others.length && new Set(runValues).size === others.length && runValues.every(v => others.includes(v))) {
        siblings.splice(i, others.length + 1, ...run, a);
      }
    }
    const head = enumValue(siblings[i].cond);
    if (!head) continue;
    const values = [head.value as string];
    let j = i + 1;
    for (; j < siblings.length; j++) {
      const v = enumValue(siblings[j].cond);
      if (!v || v.path !== head.path || values.includes(v.value as string)) break;
      values.push(v.value as string);
      siblings[j] = { ...siblings[j], elseIf: true };
    }
    if (j === i + 1) continue;
    const rest = siblings[j]?.cond;
    const isRest =
      rest !== undefined &&
      rest.length === values.length &&
      rest.every(x => x.path === head.path && x.op === 'ne' && values.includes(x.value as string)) &&
      new Set(rest.map(x => x.value)).size === values.length;
    if (isRest) siblings[j] = { ...siblings[j], else: true };
    i = isRest ? j : j - 1;
  }
  return siblings;
}

function simplifyNode(n: TNode, context: Cond, domains: Domains): TNode {
  const simplify = <T extends { cond: Cond; node?: TNode }>(xs: readonly T[]): T[] => {
    const out: T[] = [];
    for (const x of xs) {
      const cond = reduce(x.cond, context, domains)?.map(a => positive(a, domains));
      if (cond) out.push({ ...x, cond, ...(x.node ? { node: simplifyNode(x.node, [...context, ...cond], domains) } : {}) });
    }
    return pairElses(out, domains);
  };
  if (n.t === 'map') return { t: 'map', entries: simplify(n.entries) };
  if (n.t === 'list') return { t: 'list', items: simplify(n.items) };
  return n;
}

/**
 * The documents without blocks that can never render (a condition that contradicts the blocks around it) and
 * with conditions reduced to what the enclosing blocks do not already imply; documents that can never render
 * are dropped.
 */
export function simplifyTemplates(docs: readonly TemplateDoc[], values: readonly ProbedValue[]): TemplateDoc[] {
  const domains = domainsOf(values);
  const out: TemplateDoc[] = [];
  for (const d of docs) {
    const cond = reduce(d.cond, [], domains)?.map(a => positive(a, domains));
    if (cond) out.push({ ...d, cond, node: simplifyNode(d.node, cond, domains) });
  }
  return out;
}
