import { RdmaOptionError } from './errors';
import { isCpuQuantity, quantityToBytes } from './quantity';

/** Small checks shared by every construct; each throws one RdmaOptionError naming option, value and what is allowed. */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A Kubernetes namespace or other RFC 1123 label (63 characters at most). */
export function checkDnsLabel(where: string, option: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 63 || !DNS_LABEL.test(value)) {
    throw new RdmaOptionError(where, option, value, 'is not a valid name',
      'an RFC 1123 label: lower-case letters, digits and "-", starting and ending with a letter or digit, at most 63 characters');
  }
  return value;
}

/** An object name that must also be a DNS label-sized RFC 1123 subdomain (253 characters at most). */
export function checkDnsSubdomain(where: string, option: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    throw new RdmaOptionError(where, option, value, 'is not a valid name',
      'an RFC 1123 subdomain: lower-case letters, digits, "-" and ".", at most 253 characters');
  }
  return value;
}

export function checkPositiveInt(where: string, option: string, value: number, max?: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || (max !== undefined && value > max)) {
    throw new RdmaOptionError(where, option, value, 'is not allowed',
      max === undefined ? 'a whole number of at least 1' : `a whole number from 1 to ${max}`);
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
    throw new RdmaOptionError(where, option, value, 'is not a pinned image',
      'an image reference with a version tag or @sha256 digest (not "latest", not tag-less)');
  }
  return value;
}

/** A memory quantity of at least one byte, e.g. `8Gi`. */
export function checkMemory(where: string, option: string, value: string): string {
  const bytes = typeof value === 'string' ? quantityToBytes(value) : undefined;
  if (bytes === undefined || bytes <= 0) {
    throw new RdmaOptionError(where, option, value, 'is not a memory quantity', 'a positive Kubernetes quantity such as "512Mi" or "8Gi"');
  }
  return value;
}

export function checkCpu(where: string, option: string, value: string): string {
  if (typeof value !== 'string' || !isCpuQuantity(value)) {
    throw new RdmaOptionError(where, option, value, 'is not a CPU quantity', 'a positive Kubernetes CPU quantity such as "500m" or "2"');
  }
  return value;
}

const HUGEPAGE_2MI = 2 * 2 ** 20;

/** A `hugepages-2Mi` amount: a positive memory quantity that is a whole number of 2 MiB pages. */
export function checkHugepages2Mi(where: string, option: string, value: string): string {
  const bytes = typeof value === 'string' ? quantityToBytes(value) : undefined;
  if (bytes === undefined || bytes <= 0) {
    throw new RdmaOptionError(where, option, value, 'is not a memory quantity', 'a positive multiple of 2Mi such as "5120Mi"');
  }
  if (bytes % HUGEPAGE_2MI !== 0) {
    throw new RdmaOptionError(where, option, value, 'is not a multiple of the 2Mi huge page size', 'a positive multiple of 2Mi such as "5120Mi"');
  }
  return value;
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

export function checkLabels(where: string, option: string, labels: Record<string, string>): Record<string, string> {
  for (const [k, v] of Object.entries(labels)) {
    if (!LABEL_KEY.test(k)) {
      throw new RdmaOptionError(where, `${option}`, k, 'is not a valid label key', 'an optional DNS prefix and "/", then a name of at most 63 characters');
    }
    if (typeof v !== 'string' || !LABEL_VALUE.test(v)) {
      throw new RdmaOptionError(where, `${option}["${k}"]`, v, 'is not a valid label value', 'at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit');
    }
  }
  return labels;
}

/** Annotation keys follow the label key syntax; values are free text. */
export function checkAnnotations(where: string, option: string, annotations: Record<string, string>): Record<string, string> {
  for (const [k, v] of Object.entries(annotations)) {
    if (!LABEL_KEY.test(k)) {
      throw new RdmaOptionError(where, option, k, 'is not a valid annotation key', 'an optional DNS prefix and "/", then a name of at most 63 characters');
    }
    if (typeof v !== 'string') {
      throw new RdmaOptionError(where, `${option}["${k}"]`, v, 'is not a string', 'a string value');
    }
  }
  return annotations;
}

/** An absolute host path without `..` segments, e.g. `/opt/cni/bin`. */
export function checkAbsolutePath(where: string, option: string, value: string): string {
  if (typeof value !== 'string' || !value.startsWith('/') || /\s/.test(value) || value.split('/').includes('..')) {
    throw new RdmaOptionError(where, option, value, 'is not an absolute path', 'an absolute path without spaces or ".." segments, e.g. "/opt/cni/bin"');
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
    throw new RdmaOptionError(where, option, value, 'is not a valid interface name',
      'a network interface name such as "ib0": 1 to 15 characters, no "/", ":" or whitespace');
  }
  return value;
}
