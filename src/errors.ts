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
    // Inside withOptionPrefix the error is reported by the enclosing options object (innermost scope first).
    for (let i = OPTION_SCOPES.length - 1; i >= 0; i--) {
      option = `${OPTION_SCOPES[i].prefix}.${option}`;
      where = OPTION_SCOPES[i].where;
    }
    super(`${printable(where)}: ${printable(option)} ${formatValue(value)} ${problem}; allowed: ${allowed}`);
    this.name = 'RdmaOptionError';
    this.where = where;
    this.option = option;
    this.value = value;
    this.problem = problem;
    this.allowed = allowed;
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

/** Text with control characters (C0, DEL, C1, line and paragraph separators) as \\uXXXX escapes. */
export function escapeControl(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this escapes
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function cut(text: string): string {
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}... (${text.length} characters)` : text;
}

/** The option scopes `build` functions of withOptionPrefix run in, outermost first. */
const OPTION_SCOPES: { readonly where: string; readonly prefix: string }[] = [];

/**
 * Runs `build` so that any RdmaOptionError it raises is reported by the enclosing options object (`where`),
 * with the option path prefixed by `prefix`: the error is made that way (no catch and re-throw), and a
 * construct used directly reports its own props.
 */
export function withOptionPrefix<T>(where: string, prefix: string, build: () => T): T {
  OPTION_SCOPES.push({ where, prefix });
  try {
    return build();
  } finally {
    OPTION_SCOPES.pop();
  }
}
