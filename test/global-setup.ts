/** Jest global setup: real kubectl and helm 4 for the tests that use them (see upstream-tools.ts). */
import { ensureUpstreamTools } from './upstream-tools';

export default function globalSetup(): void {
  // The tests run helm and kubectl (Go programs) some 150 times, each for well under a second: a garbage
  // collector's work in a process that exits that soon is CPU spent for nothing (GOGC=off measured 24% less CPU
  // per `helm template` here; https://pkg.go.dev/runtime#hdr-Environment_Variables). The jest workers and every
  // process they start inherit it; a value the caller set is kept.
  process.env.GOGC ??= 'off';
  const tools = ensureUpstreamTools();
  if (tools.missing) process.stderr.write(`cdk8s-rdma tests: ${tools.missing}; tests of kubectl and helm 4 are SKIPPED\n`);
}
