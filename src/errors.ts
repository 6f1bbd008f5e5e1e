/**
 * The one error type of cdk8s-rdma for bad input.
 *
 * Every message names where the problem is (construct or profile), the option, the bad value and
 * what is allowed, for example:
 * `eks-efa: devicePlugin.instanceTypes[2] "m5.2xlarge" does not support EFA; allowed: ...`.
 */
export class RdmaOptionError extends Error {
  /** Where the option belongs: a construct name (`EfaDevicePlugin`) or a profile name (`eks-efa`). */
  public readonly where: string;
  /** The option's path, e.g. `instanceTypes[2]` or `devicePlugin.instanceTypes[2]`. */
  public readonly option: string;
  /** The value that was rejected. */
  public readonly value: unknown;
  /** What is wrong with it, e.g. `does not support EFA`. */
  public readonly problem: string;
  /** What would have been accepted. */
  public readonly allowed: string;

  constructor(where: string, option: string, value: unknown, problem: string, allowed: string) {
    super(`${printable(where)}: ${printable(option)} ${formatValue(value)} ${problem}; allowed: ${allowed}`);
    this.name = 'RdmaOptionError';
    this.where = where;
    this.option = option;
    this.value = value;
    this.problem = problem;
    this.allowed = allowed;
  }

  /** The same error seen from an enclosing options object: `devicePlugin.` + option, reported by `where`. */
  public within(where: string, prefix: string): RdmaOptionError {
    return new RdmaOptionError(where, `${prefix}.${this.option}`, this.value, this.problem, this.allowed);
  }
}

/** Longest value an error message shows whole; a longer one is cut, with its length. */
const MAX_SHOWN = 200;

/**
 * The value as JSON (control characters escaped, so the message stays one line and no escape sequence
 * reaches the terminal), cut to MAX_SHOWN characters.
 */
function formatValue(value: unknown): string {
  if (value === undefined) return '(unset)';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = '(a value that refers to itself)';
  }
  return cut(escapeControl(text));
}

/** Text with control characters (C0, DEL, C1, line and paragraph separators) as \\uXXXX escapes, cut to MAX_SHOWN. */
export function printable(text: string): string {
  return cut(escapeControl(text));
}

function escapeControl(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function cut(text: string): string {
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}... (${text.length} characters)` : text;
}


/**
 * Runs `build` and re-reports any RdmaOptionError as an error of the enclosing options object
 * (`where`), with the option path prefixed by `prefix`.
 */
export function withOptionPrefix<T>(where: string, prefix: string, build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (e instanceof RdmaOptionError) throw e.within(where, prefix);
    throw e;
  }
}
