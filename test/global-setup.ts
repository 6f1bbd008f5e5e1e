/** Jest global setup: real kubectl and helm 4 for the tests that use them (see upstream-tools.ts). */
import { ensureUpstreamTools } from './upstream-tools';

export default function globalSetup(): void {
  const tools = ensureUpstreamTools();
  if (tools.missing) process.stderr.write(`cdk8s-rdma tests: ${tools.missing}; tests of kubectl and helm 4 are SKIPPED\n`);
}
