import type { GateAtom } from '../gates';
import { toYamlText } from '../output/yaml';

/**
 * Template trees: synthesized objects in which some scalars, keys and list runs come from Helm values and
 * some map entries, list items and whole objects are present only under a condition on values. They are
 * inferred from synths (see infer.ts) and printed as Go-template YAML (see renderDocument).
 */

/** One condition atom: `.Values.<path>` equals (or not) a value of a boolean or enum option. */
export type CondAtom = GateAtom;
export type Cond = readonly CondAtom[];

/** A piece of a string: literal text, or a value rendered as text. */
export type Piece =
  | { readonly text: string }
  | {
      readonly path: string;
      readonly number: boolean;
      readonly join?: string;
      /** An int-or-string value (a quantity): printed as text either way (`16` as "16"). */
      readonly intOrString?: boolean;
    };

export type TNode =
  | { readonly t: 'lit'; readonly v: unknown }
  /** A string made of pieces; in a JSON document (`json`) values are inserted JSON-escaped. */
  | { readonly t: 'str'; readonly pieces: readonly Piece[]; readonly json?: boolean }
  | { readonly t: 'num'; readonly path: string }
  | { readonly t: 'map'; readonly entries: TEntry[] }
  | { readonly t: 'list'; readonly items: TItem[] };

/** A map entry, a run of entries from a map value (`splice`), or a key whose whole value is a values map/list (`whole`). */
export interface TEntry {
  key: readonly Piece[];
  node?: TNode;
  /** Entries of this values map are merged in here. */
  splice?: string;
  /** The value is this values map or list, and the key is left out when it is empty. */
  whole?: string;
  /** The values list (of names) is rendered as `{name: item}` objects. */
  named?: boolean;
  /** The entries of this named template of templates/_helpers.tpl (a label block) go here. */
  include?: string;
  cond: Cond;
  /** The `else` of the siblings before it (its condition is the complement of theirs). */
  else?: boolean;
  /** An `else if` of the sibling before it: one value of an enum after another (their conditions exclude each other). */
  elseIf?: boolean;
}

export interface TItem {
  node?: TNode;
  /** The items of this values list go here. */
  splice?: string;
  /** The values list (of names) is rendered as `{name: item}` objects. */
  named?: boolean;
  cond: Cond;
  /** The `else` of the siblings before it. */
  else?: boolean;
  /** An `else if` of the sibling before it. */
  elseIf?: boolean;
}

// ---------------------------------------------------------------------------------------------------------
// Rendering

/** A values path as Go (`.Values.<path>`), or a ProbedValue `ref` expression as it is. */
const valuesRef = (path: string) => (path.startsWith('.') || path.startsWith('(') ? path : `.Values.${path}`);

function condExpr(cond: Cond): string {
  const atoms = cond.map(a => {
    if (typeof a.value === 'boolean') {
      const positive = (a.op === 'eq') === a.value;
      return positive ? valuesRef(a.path) : `not ${valuesRef(a.path)}`;
    }
    return `${a.op} ${valuesRef(a.path)} ${JSON.stringify(a.value)}`;
  });
  if (atoms.length === 1) return atoms[0];
  return `and ${atoms.map(x => `(${x})`).join(' ')}`;
}

/** Go string literal (JSON escapes are valid Go escapes). */
const goString = (s: string) => JSON.stringify(s);

function pieceExpr(p: Piece, json: boolean): string {
  if ('text' in p) return goString(p.text);
  // A list of numbers printed into a script, its items joined.
  if (p.join !== undefined) return `(join ${goString(p.join)} ${valuesRef(p.path)})`;
  if (p.number) return `(toString (int64 ${valuesRef(p.path)}))`;
  if (p.intOrString)
    return `(ternary (toString ${valuesRef(p.path)}) (toString (int64 ${valuesRef(p.path)})) (kindIs "string" ${valuesRef(p.path)}))`;
  // Inside a JSON document a string value is inserted as JSON string content (quotes and backslashes escaped).
  return json ? `(toJson ${valuesRef(p.path)} | trimPrefix "\\"" | trimSuffix "\\"")` : `(toString ${valuesRef(p.path)})`;
}

/** A Go template action that prints the pieces as one JSON (so YAML) string. */
function scalarAction(pieces: readonly Piece[], json = false): string {
  if (pieces.length === 1 && !('text' in pieces[0]) && !pieces[0].number && !pieces[0].intOrString)
    return `{{ ${valuesRef(pieces[0].path)} | toJson }}`;
  return `{{ print ${pieces.map(p => pieceExpr(p, json)).join(' ')} | toJson }}`;
}

const keyTexts = new Map<string, string>();

function keyText(key: readonly Piece[]): string {
  if (key.every(p => 'text' in p)) {
    const text = key.map(p => (p as { text: string }).text).join('');
    let yaml = keyTexts.get(text);
    if (yaml === undefined) keyTexts.set(text, (yaml = toYamlText({ [text]: null }).replace(/:( null)?\n$/, '')));
    return yaml;
  }
  return scalarAction(key);
}

const pad = (n: number) => ' '.repeat(n);

/** YAML of a literal value after `key:` (inline scalar or indented block), at entry indent n. */
function literalAfterKey(v: unknown, n: number): string {
  const text = toYamlText({ k: v }).replace(/^k:/, '').replace(/\n$/, '');
  return text
    .split('\n')
    .map((line, i) => (i === 0 || line === '' ? line : pad(n) + line))
    .join('\n');
}

/** Whether a list item's content takes lines of its own (a non-empty map or list) rather than one scalar. */
function isBlock(node: TNode): boolean {
  if (node.t === 'map' || node.t === 'list') return true;
  if (node.t === 'lit') return typeof node.v === 'object' && node.v !== null && Object.keys(node.v as object).length > 0;
  return false;
}

function valueAfterKey(node: TNode, n: number): string {
  switch (node.t) {
    case 'lit':
      return literalAfterKey(node.v, n);
    case 'str':
      return ` ${scalarAction(node.pieces, node.json)}`;
    case 'num':
      return ` {{ int64 ${valuesRef(node.path)} }}`;
    case 'map': {
      if (node.entries.length === 0) return ' {}';
      // Every entry conditional: an empty map, not null, when none renders.
      const empty = node.entries.every(e => e.cond.length > 0 && !e.else)
        ? `{{ if not (or ${node.entries.map(e => `(${condExpr(e.cond)})`).join(' ')}) }} {}{{ end }}`
        : '';
      return `${empty}\n${renderMap(node.entries, n + 2)}`;
    }
    case 'list':
      return node.items.length === 0 ? ' []' : `\n${renderList(node.items, n + 2)}`;
  }
}

function wrap(cond: Cond, body: string): string {
  return cond.length === 0 ? body : `{{- if ${condExpr(cond)} }}\n${body}\n{{- end }}`;
}

/**
 * Siblings' bodies, each in its condition; siblings marked `elseIf` or `else` join the block before them
 * (`if` / `else if` ... / `else` / `end`).
 */
function wrapAll(siblings: readonly { cond: Cond; else?: boolean; elseIf?: boolean }[], bodies: readonly string[]): string {
  const out: string[] = [];
  siblings.forEach((x, i) => {
    if (x.else || x.elseIf) return;
    const next = siblings[i + 1];
    if (!next?.else && !next?.elseIf) {
      out.push(wrap(x.cond, bodies[i]));
      return;
    }
    const parts = [`{{- if ${condExpr(x.cond)} }}\n${bodies[i]}`];
    for (let j = i + 1; j < siblings.length && (siblings[j].elseIf || siblings[j].else); j++) {
      parts.push(siblings[j].else ? `{{- else }}\n${bodies[j]}` : `{{- else if ${condExpr(siblings[j].cond)} }}\n${bodies[j]}`);
      if (siblings[j].else) break;
    }
    out.push(`${parts.join('\n')}\n{{- end }}`);
  });
  return out.join('\n');
}

function renderMap(entries: readonly TEntry[], n: number): string {
  return wrapAll(
    entries,
    entries.map(e => {
      let body: string;
      if (e.include) {
        body = `${pad(n)}{{- include ${goString(e.include)} . | nindent ${n} }}`;
      } else if (e.splice) {
        body = `{{- with ${valuesRef(e.splice)} }}{{ toYaml . | nindent ${n} }}{{- end }}`;
      } else if (e.whole && e.named) {
        body = `{{- with ${valuesRef(e.whole)} }}\n${pad(n)}${keyText(e.key)}:\n${namedItems('.', n + 2)}\n{{- end }}`;
      } else if (e.whole) {
        body = `{{- with ${valuesRef(e.whole)} }}\n${pad(n)}${keyText(e.key)}:{{ toYaml . | nindent ${n + 2} }}\n{{- end }}`;
      } else {
        body = `${pad(n)}${keyText(e.key)}:${valueAfterKey(e.node!, n)}`;
      }
      return body;
    }),
  );
}

/** A list of names as `- name: <item>` lines at indent n. */
const namedItems = (list: string, n: number) => `{{- range ${list} }}\n${pad(n)}- name: {{ . | toJson }}\n{{- end }}`;

function renderList(items: readonly TItem[], n: number): string {
  return wrapAll(
    items,
    items.map(item => {
      let body: string;
      if (item.splice && item.named) {
        body = namedItems(valuesRef(item.splice), n);
      } else if (item.splice) {
        body = `{{- with ${valuesRef(item.splice)} }}{{ toYaml . | nindent ${n} }}{{- end }}`;
      } else {
        const node = item.node!;
        if (!isBlock(node)) {
          body = `${pad(n)}-${valueAfterKey(node, n)}`;
        } else {
          // Render the item's content two columns in, then put the dash on its first line when that line is YAML.
          const inner = valueAfterKey(node, n).replace(/^\n/, '');
          const lines = inner.split('\n');
          if (lines[0].startsWith(pad(n + 2)) && !lines[0].startsWith(pad(n + 2) + ' ')) {
            lines[0] = `${pad(n)}- ${lines[0].slice(n + 2)}`;
            body = lines.join('\n');
          } else {
            body = `${pad(n)}-\n${inner}`;
          }
        }
      }
      return body;
    }),
  );
}

/** The Go-template YAML of one object (a top-level map), wrapped in its condition. */
export function renderDocument(node: TNode, cond: Cond): string {
  if (node.t === 'lit' && node.v !== null && typeof node.v === 'object' && !Array.isArray(node.v)) {
    return `${wrap(cond, toYamlText(node.v).replace(/\n$/, ''))}\n`;
  }
  if (node.t !== 'map') throw new Error('cdk8s-rdma: a chart template must be a map');
  return `${wrap(cond, renderMap(node.entries, 0))}\n`;
}
