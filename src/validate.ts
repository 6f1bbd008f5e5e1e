import { RdmaOptionError } from './errors';
import { isCpuQuantity, quantityToBytes } from './quantity';

/** Small checks shared by every construct; each throws one RdmaOptionError naming option, value and what is allowed. */

/**
 * The per-field rules the options schemas carry (TSDoc `@pattern` on the options types, so every values file
 * and every Helm chart's values.schema.json checks them), with the words of the check that enforces the same
 * rule in code. Patterns are written for both ECMAScript (ajv) and RE2 (helm 4's validator): no lookarounds.
 * A test keeps every `@pattern` in the schemas one of these, and each in step with its check on samples. No
 * pattern may contain the two characters that end a comment, since each is copied into a TSDoc `@pattern` tag.
 */
export interface FieldRule {
  readonly pattern: string;
  /** What is wrong with a value that does not match (the error's middle part). */
  readonly problem: string;
  /** What is allowed (the error's last part). */
  readonly allowed: string;
}

// A tag other than "latest": one character class per position that excludes that position's letter.
const TAG = '[^\\s:/@]';
const notTag = (c: string) => `[^\\s:/@${c}]`;
const NOT_LATEST = `(?:${TAG}{1,5}|${TAG}{7,}|${notTag('l')}${TAG}{5}|l${notTag('a')}${TAG}{4}|la${notTag('t')}${TAG}{3}|lat${notTag('e')}${TAG}{2}|late${notTag('s')}${TAG}|lates${notTag('t')})`;
// Positive numbers as src/quantity.ts reads them (a digit other than 0 somewhere).
const POSITIVE = '[0-9]*[1-9][0-9]*(\\.[0-9]+)?|[0-9]+\\.[0-9]*[1-9][0-9]*';
const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';

export const FIELD_RULES = {
  dnsLabel: {
    pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
    problem: 'is not a valid name',
    allowed: 'an RFC 1123 label: lower-case letters, digits and "-", starting and ending with a letter or digit, at most 63 characters',
  },
  dnsSubdomain: {
    pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
    problem: 'is not a valid name',
    allowed: 'an RFC 1123 subdomain: lower-case letters, digits, "-" and ".", at most 253 characters',
  },
  image: {
    pattern: `^\\S+@sha256:\\S+$|^(\\S+/)?[^\\s/:@]+:${NOT_LATEST}$`,
    problem: 'is not a pinned image',
    allowed: 'an image reference with a version tag or @sha256 digest (not "latest", not tag-less)',
  },
  memory: {
    pattern: `^(${POSITIVE})(Ki|Mi|Gi|Ti|k|M|G|T)?$`,
    problem: 'is not a memory quantity',
    allowed: 'a positive Kubernetes quantity such as "512Mi" or "8Gi"',
  },
  cpu: {
    pattern: `^(${POSITIVE}|[0-9]*[1-9][0-9]*m)$`,
    problem: 'is not a CPU quantity',
    allowed: 'a positive Kubernetes CPU quantity such as "500m" or "2"',
  },
  hugepages2Mi: {
    pattern: '^(?:[0-9]*[2468]Mi|[0-9]*[1-9][0-9]*0Mi|[0-9]*[1-9][0-9]*Gi)$',
    problem: 'is not a whole number of 2Mi huge pages in Mi or Gi',
    allowed: 'a positive multiple of 2Mi such as "5120Mi"',
  },
  cidr: {
    pattern: `^${OCTET}(\\.${OCTET}){3}/([0-9]|[12][0-9]|3[0-2])$|^[0-9A-Fa-f.]*(:[0-9A-Fa-f.]*)+/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8])$`,
    problem: 'is not a CIDR range',
    allowed: 'an IPv4 or IPv6 CIDR such as "10.56.0.0/16"',
  },
  // An EC2 availability zone name (region plus a zone letter), e.g. us-west-2a or us-gov-west-1b; Local and
  // Wavelength Zones (us-west-2-lax-1a) are left out: EFA instance types are not offered there.
  awsZone: {
    pattern: '^[a-z]{2}(-[a-z]+)+-[0-9]+[a-z]$',
    problem: 'is not an availability zone name',
    allowed: 'a zone such as "us-west-2a"',
  },
  // EKS CreateCluster: "alphanumeric characters (case-sensitive), hyphens, and underscores", starting with an
  // alphanumeric character, at most 100 characters (https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateCluster.html).
  eksClusterName: {
    pattern: '^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$',
    problem: 'is not an EKS cluster name',
    allowed: 'letters, digits, "-" and "_", starting with a letter or digit, at most 100 characters',
  },
  // Karpenter's own duration pattern (karpenter.sh_nodepools.yaml @v1.14.1, disruption.consolidateAfter).
  karpenterDuration: {
    pattern: '^(([0-9]+(s|m|h))+|Never)$',
    problem: 'is not a Karpenter duration',
    allowed: 'hours, minutes and seconds such as "10m" or "1h30m", or "Never"',
  },
  kubernetesVersion: {
    pattern: '^[1-9][0-9]*\\.(0|[1-9][0-9]*)$',
    problem: 'is not a Kubernetes minor version',
    allowed: 'a version such as "1.34"',
  },
} as const satisfies Record<string, FieldRule>;

const DNS_LABEL = new RegExp(FIELD_RULES.dnsLabel.pattern);
const DNS_SUBDOMAIN = new RegExp(FIELD_RULES.dnsSubdomain.pattern);

/** A value `FIELD_RULES[rule]` allows (typed options that are plain strings in the schemas). */
export function checkRule(where: string, option: string, value: string, rule: keyof typeof FIELD_RULES): string {
  const r: FieldRule = FIELD_RULES[rule];
  if (typeof value !== 'string' || !new RegExp(r.pattern).test(value))
    throw new RdmaOptionError(where, option, value, r.problem, r.allowed);
  return value;
}

/** A Kubernetes namespace or other RFC 1123 label (63 characters at most). */
export function checkDnsLabel(where: string, option: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 63 || !DNS_LABEL.test(value)) {
    throw new RdmaOptionError(where, option, value, FIELD_RULES.dnsLabel.problem, FIELD_RULES.dnsLabel.allowed);
  }
  return value;
}

/** An object name that must also be a DNS label-sized RFC 1123 subdomain (253 characters at most). */
export function checkDnsSubdomain(where: string, option: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    throw new RdmaOptionError(where, option, value, FIELD_RULES.dnsSubdomain.problem, FIELD_RULES.dnsSubdomain.allowed);
  }
  return value;
}

export function checkPositiveInt(where: string, option: string, value: number, max?: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || (max !== undefined && value > max)) {
    throw new RdmaOptionError(
      where,
      option,
      value,
      'is not allowed',
      max === undefined ? 'a whole number of at least 1' : `a whole number from 1 to ${max}`,
    );
  }
  return value;
}

export function checkOneOf<T extends string>(where: string, option: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) {
    throw new RdmaOptionError(where, option, value, 'is not a known choice', allowed.map(a => JSON.stringify(a)).join(', '));
  }
  return value;
}

export function checkNonEmpty(where: string, option: string, value: string): string {
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw new RdmaOptionError(where, option, value, 'is empty', 'a non-empty string');
  }
  return value;
}

/** An image reference with an explicit tag or digest, never `latest`. */
export function checkImage(where: string, option: string, value: string): string {
  checkNonEmpty(where, option, value);
  const lastSegment = value.split('/').pop() ?? '';
  const hasDigest = value.includes('@sha256:');
  const tag = lastSegment.includes(':') ? lastSegment.split(':').pop() : undefined;
  if (/\s/.test(value) || (!hasDigest && (!tag || tag === 'latest'))) {
    throw new RdmaOptionError(where, option, value, FIELD_RULES.image.problem, FIELD_RULES.image.allowed);
  }
  return value;
}

/**
 * A Kubernetes quantity as options take it: a string (`8Gi`) or a number (`16`), as the API's int-or-string
 * quantities do (k8s.io/apimachinery pkg/api/resource Quantity). Checks return it as a string.
 */
export type QuantityValue = string | number;

/** A number as its text (`16` as "16"); anything else as it is, for the checks to refuse. */
const quantityText = (value: QuantityValue): string =>
  typeof value === 'number' && Number.isFinite(value) ? String(value) : (value as string);

/** A memory quantity of at least one byte, e.g. `8Gi`. */
export function checkMemory(where: string, option: string, input: QuantityValue): string {
  const value = quantityText(input);
  const bytes = typeof value === 'string' ? quantityToBytes(value) : undefined;
  if (bytes === undefined || bytes <= 0) {
    throw new RdmaOptionError(where, option, value, 'is not a memory quantity', 'a positive Kubernetes quantity such as "512Mi" or "8Gi"');
  }
  return value;
}

export function checkCpu(where: string, option: string, input: QuantityValue): string {
  const value = quantityText(input);
  if (typeof value !== 'string' || !isCpuQuantity(value)) {
    throw new RdmaOptionError(where, option, value, 'is not a CPU quantity', 'a positive Kubernetes CPU quantity such as "500m" or "2"');
  }
  return value;
}

const HUGEPAGE_2MI = 2 * 2 ** 20;

/** A `hugepages-2Mi` amount: a positive memory quantity that is a whole number of 2 MiB pages. */
export function checkHugepages2Mi(where: string, option: string, input: QuantityValue): string {
  const value = quantityText(input);
  const bytes = typeof value === 'string' ? quantityToBytes(value) : undefined;
  if (bytes === undefined || bytes <= 0) {
    throw new RdmaOptionError(where, option, value, 'is not a memory quantity', 'a positive multiple of 2Mi such as "5120Mi"');
  }
  if (bytes % HUGEPAGE_2MI !== 0) {
    throw new RdmaOptionError(
      where,
      option,
      value,
      'is not a multiple of the 2Mi huge page size',
      'a positive multiple of 2Mi such as "5120Mi"',
    );
  }
  return value;
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/**
 * Most entries a label, annotation or selector map may have. Kubernetes sets no such count, but cdk8s-plus-27's
 * generated toJson copies a map once per entry (time grows with the square of its size: 4,000 labels took 3 s,
 * 40,000 over 8 minutes), so larger maps are refused rather than left to hang the synth.
 */
export const MAX_MAP_ENTRIES = 1000;

function checkMapSize(where: string, option: string, map: Record<string, unknown>): void {
  const n = Object.keys(map).length;
  if (n > MAX_MAP_ENTRIES)
    throw new RdmaOptionError(where, option, `${n} entries`, 'is more than a synth handles', `at most ${MAX_MAP_ENTRIES} entries`);
}

export function checkLabels(where: string, option: string, labels: Record<string, string>): Record<string, string> {
  checkMapSize(where, option, labels);
  for (const [k, v] of Object.entries(labels)) {
    if (!LABEL_KEY.test(k)) {
      throw new RdmaOptionError(
        where,
        `${option}`,
        k,
        'is not a valid label key',
        'an optional DNS prefix and "/", then a name of at most 63 characters',
      );
    }
    if (typeof v !== 'string' || !LABEL_VALUE.test(v)) {
      throw new RdmaOptionError(
        where,
        `${option}["${k}"]`,
        v,
        'is not a valid label value',
        'at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
      );
    }
  }
  return labels;
}

/** Annotation keys follow the label key syntax; values are free text. */
export function checkAnnotations(where: string, option: string, annotations: Record<string, string>): Record<string, string> {
  checkMapSize(where, option, annotations);
  for (const [k, v] of Object.entries(annotations)) {
    if (!LABEL_KEY.test(k)) {
      throw new RdmaOptionError(
        where,
        option,
        k,
        'is not a valid annotation key',
        'an optional DNS prefix and "/", then a name of at most 63 characters',
      );
    }
    if (typeof v !== 'string') {
      throw new RdmaOptionError(where, `${option}["${k}"]`, v, 'is not a string', 'a string value');
    }
  }
  // apimachinery ValidateAnnotationsSize: the keys' and values' lengths together.
  const total = Object.entries(annotations).reduce((n, [k, v]) => n + k.length + (typeof v === 'string' ? v.length : 0), 0);
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) {
    throw new RdmaOptionError(
      where,
      option,
      `${total} bytes`,
      'is more than the API server accepts for all annotations of an object',
      `at most ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes`,
    );
  }
  return annotations;
}

/** An absolute host path without `..` segments, e.g. `/opt/cni/bin`. */
export function checkAbsolutePath(where: string, option: string, value: string): string {
  if (typeof value !== 'string' || !value.startsWith('/') || /\s/.test(value) || value.split('/').includes('..')) {
    throw new RdmaOptionError(
      where,
      option,
      value,
      'is not an absolute path',
      'an absolute path without spaces or ".." segments, e.g. "/opt/cni/bin"',
    );
  }
  return value.length > 1 ? value.replace(/\/+$/, '') : value;
}

/**
 * A Linux network interface name as the kernel accepts it (dev_valid_name): 1 to 15 characters, no "/",
 * ":" or whitespace, not "." or "..".
 */
export function checkInterfaceName(where: string, option: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new RdmaOptionError(where, option, value, 'is empty', 'a network interface name such as "ib0" (1 to 15 characters)');
  }
  if (value.length > 15 || /[/:\s]/.test(value) || value === '.' || value === '..') {
    throw new RdmaOptionError(
      where,
      option,
      value,
      'is not a valid interface name',
      'a network interface name such as "ib0": 1 to 15 characters, no "/", ":" or whitespace',
    );
  }
  return value;
}

/**
 * A Kubernetes quantity as the API server parses it (k8s.io/apimachinery pkg/api/resource quantity.go; the
 * same pattern CRDs carry for int-or-string quantities, e.g. mellanox.com NicClusterPolicy containerResources).
 */
const QUANTITY = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))?$/;
const QUANTITY_SUFFIX: Record<string, number> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The value of a quantity (approximate for huge numbers: it is only compared). */
function quantityValue(q: string): number {
  const m = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(.*)$/.exec(q)!;
  const suffix = m[2];
  if (/^[eE]/.test(suffix)) return Number(`${m[1]}${suffix}`);
  return Number(m[1]) * QUANTITY_SUFFIX[suffix];
}

/** Resource names (`cpu`, `memory`, `hugepages-2Mi`, `vpc.amazonaws.com/efa`): qualified names (label keys). */
const RESOURCE_NAME =
  /^(?:[a-z0-9]([-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/**
 * Container resources as the API server validates them (k8s.io/kubernetes pkg/apis/core/validation
 * ValidateResourceRequirements): resource names, non-negative quantities, and each request at most its limit.
 */
export function checkResources(
  where: string,
  option: string,
  r: { readonly requests?: Record<string, string>; readonly limits?: Record<string, string> },
): void {
  for (const part of ['requests', 'limits'] as const) {
    for (const [name, q] of Object.entries(r[part] ?? {})) {
      if (!RESOURCE_NAME.test(name)) {
        throw new RdmaOptionError(
          where,
          `${option}.${part}`,
          name,
          'is not a resource name',
          'a name such as "cpu", "memory" or "vpc.amazonaws.com/efa"',
        );
      }
      if (typeof q !== 'string' || !QUANTITY.test(q) || q.startsWith('-')) {
        throw new RdmaOptionError(
          where,
          `${option}.${part}.${name}`,
          q,
          'is not a quantity',
          'a non-negative Kubernetes quantity such as "100m", "20Mi" or "2"',
        );
      }
    }
  }
  for (const [name, limit] of Object.entries(r.limits ?? {})) {
    const request = r.requests?.[name];
    if (request !== undefined && quantityValue(request) > quantityValue(limit)) {
      throw new RdmaOptionError(
        where,
        `${option}.requests.${name}`,
        request,
        `is more than its limit ${limit}`,
        `at most ${limit} (the API server refuses a request above its limit)`,
      );
    }
  }
}

export interface TolerationValue {
  readonly key?: string;
  readonly operator?: string;
  readonly value?: string;
  readonly effect?: string;
  readonly tolerationSeconds?: number;
}

/**
 * Tolerations as the API server validates them (k8s.io/kubernetes pkg/apis/core/validation validateTolerations):
 * a key is a label key, and required unless the operator is Exists; `Exists` takes no value; a value is a label
 * value; the effect is one of the three; `tolerationSeconds` only with NoExecute.
 */
export function checkTolerations(where: string, option: string, tolerations: readonly TolerationValue[]): void {
  tolerations.forEach((t, i) => {
    const at = `${option}[${i}]`;
    const operator = t.operator ?? 'Equal';
    if (operator !== 'Equal' && operator !== 'Exists')
      throw new RdmaOptionError(where, `${at}.operator`, t.operator, 'is not a toleration operator', '"Equal" or "Exists"');
    if (t.key !== undefined && t.key !== '' && !LABEL_KEY.test(t.key))
      throw new RdmaOptionError(
        where,
        `${at}.key`,
        t.key,
        'is not a valid label key',
        'an optional DNS prefix and "/", then a name of at most 63 characters',
      );
    if ((t.key === undefined || t.key === '') && operator !== 'Exists')
      throw new RdmaOptionError(
        where,
        `${at}.key`,
        t.key,
        `is required with operator "${operator}"`,
        'a taint key, or operator "Exists" to tolerate every taint',
      );
    if (operator === 'Exists' && t.value !== undefined && t.value !== '')
      throw new RdmaOptionError(where, `${at}.value`, t.value, 'cannot be set with operator "Exists"', 'unset, or operator "Equal"');
    if (t.value !== undefined && t.value !== '' && !LABEL_VALUE.test(t.value))
      throw new RdmaOptionError(
        where,
        `${at}.value`,
        t.value,
        'is not a valid label value',
        'at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
      );
    if (t.effect !== undefined && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect))
      throw new RdmaOptionError(
        where,
        `${at}.effect`,
        t.effect,
        'is not a taint effect',
        '"NoSchedule", "PreferNoSchedule" or "NoExecute"',
      );
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute')
      throw new RdmaOptionError(
        where,
        `${at}.tolerationSeconds`,
        t.tolerationSeconds,
        'only applies to effect "NoExecute"',
        'unset, or effect "NoExecute"',
      );
    if (t.tolerationSeconds !== undefined && !Number.isInteger(t.tolerationSeconds))
      throw new RdmaOptionError(
        where,
        `${at}.tolerationSeconds`,
        t.tolerationSeconds,
        'is not a whole number',
        'a whole number of seconds',
      );
  });
}

/** The API server's limit on all annotations of one object together (apimachinery TotalAnnotationSizeLimitB). */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** The tolerations, once checkTolerations accepted them. */
export function checkedTolerations<T extends TolerationValue>(where: string, option: string, tolerations: readonly T[]): T[] {
  checkTolerations(where, option, tolerations);
  return [...tolerations];
}

/** The resources, once checkResources accepted them. */
export function checkedResources<T extends { readonly requests?: Record<string, string>; readonly limits?: Record<string, string> }>(
  where: string,
  option: string,
  r: T,
): T {
  checkResources(where, option, r);
  return r;
}
