const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/**
 * Bytes in a Kubernetes memory quantity (`5120Mi`, `10Gi`, `512M`, `1073741824`), or undefined when
 * the text is not a plain non-negative memory quantity.
 */
export function quantityToBytes(q: string): number | undefined {
  const m = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(q);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? '';
  const mult = BINARY[unit] ?? DECIMAL[unit];
  return n * mult;
}

/** Whether the text is a CPU quantity such as `2`, `500m` or `1.5`. */
export function isCpuQuantity(q: string): boolean {
  return /^([0-9]+(\.[0-9]+)?|[0-9]+m)$/.test(q) && !/^0+(\.0+)?m?$/.test(q);
}
