/**
 * Option paths that changed, kept working for one release (each profile's definition lists its own:
 * `deprecatedOptions` in src/profiles/index.ts). A profile moves an old path's value to its new path
 * before it reads its options, and says so once per process (the CLI prints it as a warning line on stderr).
 */
import { RdmaOptionError } from './errors';
import { deletePath, getPath, isRecord, setPath } from './option-paths';

export interface DeprecatedOption {
  /** The old path, e.g. `mpiOperator.install`. */
  readonly from: string;
  /** The path that replaces it, e.g. `mpiOperator.enabled`. */
  readonly to: string;
  /** The release that no longer reads the old path. */
  readonly removedIn: string;
}

/** The release that stops reading the option paths renamed in 0.1.0. */
export const NEXT_RELEASE = '0.2.0';

/** One name for every on/off switch (`enabled`): the MPI operator's and DRA driver's `install` were the exceptions. */
export const MPI_OPERATOR_TOGGLE: DeprecatedOption = { from: 'mpiOperator.install', to: 'mpiOperator.enabled', removedIn: NEXT_RELEASE };
export const DRA_TOGGLE: DeprecatedOption = { from: 'dra.install', to: 'dra.enabled', removedIn: NEXT_RELEASE };
/** openshift-efa's NFD operator switch, `nfd.installOperator` before. */
export const NFD_OPERATOR_TOGGLE: DeprecatedOption = { from: 'nfd.installOperator', to: 'nfd.operator.enabled', removedIn: NEXT_RELEASE };

/** The text of a deprecation: which path, which replaces it, and until when the old one works. */
export function deprecationMessage(profile: string, d: DeprecatedOption): string {
  return `${profile}: ${d.from} is deprecated and is read until ${d.removedIn}; use ${d.to}`;
}

type Handler = (message: string) => void;

/** Where deprecations go: Node's process warnings unless the CLI sets its own. */
let handler: Handler = message => process.emitWarning(message, { type: 'DeprecationWarning', code: 'CDK8S_RDMA_DEPRECATED_OPTION' });
const said = new Set<string>();

/** Sends deprecations to `h` (the CLI: one warning line on stderr), each once; returns the handler it replaced. */
export function onDeprecation(h: Handler): Handler {
  const previous = handler;
  handler = h;
  said.clear();
  return previous;
}

/**
 * The options with each deprecated path's value at its new path (copies, the input is untouched). A group moved
 * onto options already there merges with them; one value set differently under both names is refused, naming both.
 */
export function migrateOptions<O extends object>(profile: string, deprecated: readonly DeprecatedOption[], options: O): O {
  let out = options as Record<string, unknown>;
  for (const d of deprecated) {
    const old = getPath(out, d.from);
    if (old === undefined) continue;
    out = setPath(deletePath(out, d.from), d.to, merged(profile, d, old, getPath(out, d.to), ''));
    const message = deprecationMessage(profile, d);
    if (!said.has(message)) {
      said.add(message);
      handler(message);
    }
  }
  return out as O;
}

/**
 * The old path's value at the new path beside what is there already: maps (a moved group of options) merge;
 * a value set under both names must be the same, else the error names both.
 */
function merged(profile: string, d: DeprecatedOption, old: unknown, current: unknown, sub: string): unknown {
  if (current === undefined) return old;
  if (isRecord(old) && isRecord(current)) {
    const out: Record<string, unknown> = { ...current };
    for (const [k, v] of Object.entries(old)) out[k] = merged(profile, d, v, current[k], `${sub}.${k}`);
    return out;
  }
  if (JSON.stringify(old) === JSON.stringify(current)) return current;
  throw new RdmaOptionError(
    profile,
    `${d.from}${sub}`,
    old,
    `contradicts ${d.to}${sub} ${JSON.stringify(current)} (${d.from} is the deprecated name of ${d.to})`,
    `${d.to}${sub} alone`,
  );
}
