/**
 * The Node processes tests start (the built CLI, scripts that commit output, tsc) run with the V8 settings of the
 * test process itself: those scripts/test.sh gives jest (a 64 MiB young generation, a larger interrupt budget;
 * CONTRIBUTING.md, "Keeping the suite cheap"). Only those two: a flag like --inspect must not pass to a child.
 * Run otherwise (jest by hand), the list is empty and children start as plain node.
 */
export const CHILD_NODE_FLAGS: readonly string[] = process.execArgv.filter(a => /^--(max-semi-space-size|interrupt-budget)=\d+$/.test(a));

/** The arguments of a node child: the shared flags, then `args` (a script and its arguments). */
export function nodeArgs(args: readonly string[]): string[] {
  return [...CHILD_NODE_FLAGS, ...args];
}
