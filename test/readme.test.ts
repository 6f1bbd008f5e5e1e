import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { readDocuments } from './helpers';

const root = join(__dirname, '..');

/** The TypeScript block of the README's "A construct library" item. */
function libraryExample(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('3. **A construct library**');
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(start));
  if (start < 0 || !block) throw new Error('README: no library example');
  return block[1].replace(/^ {3}/gm, '');
}

test("the README's library example synthesizes as it says: the profile, its checks and the team's job, no duplicate", () => {
  const work = mkdtempSync(join(tmpdir(), 'rdma-readme-'));
  try {
    // Run as a user's program runs it (tsx transpiles it, as jest does here), in this process: imports of the
    // package and of cdk8s by path, the output folder from CDK8S_OUTDIR (cdk8s's App reads it).
    const file = join(work, 'app.ts');
    const source = libraryExample()
      .replace(/from 'cdk8s-rdma'/, `from ${JSON.stringify(join(root, 'src'))}`)
      .replace(/from 'cdk8s'/, `from ${JSON.stringify(join(root, 'node_modules', 'cdk8s'))}`);
    expect(source).not.toMatch(/from '(?!\/)/);
    writeFileSync(file, source);
    const outdir = process.env.CDK8S_OUTDIR;
    process.env.CDK8S_OUTDIR = join(work, 'out');
    try {
      jest.isolateModules(() => require(file));
    } finally {
      if (outdir === undefined) delete process.env.CDK8S_OUTDIR;
      else process.env.CDK8S_OUTDIR = outdir;
    }
    const objects = readdirSync(join(work, 'out')).flatMap(f => readDocuments(readFileSync(join(work, 'out', f), 'utf8')));
    const ids = objects.map((o: any) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter(i => i.startsWith('DaemonSet/'))).toEqual(['DaemonSet/kube-system/aws-efa-k8s-device-plugin']);
    const team = objects.filter((o: any) => o.metadata.namespace === 'team-a');
    expect(team.map((o: any) => o.kind)).toEqual(['MPIJob']);
    expect(team[0].metadata.name).toMatch(/^osu-bw-efa-[0-9a-f]{8}$/);
    // The profile's checks are there too, in its nested chart.
    expect(ids.filter(i => i.startsWith('MPIJob/rdma-benchmarks/osu-latency-'))).toHaveLength(2);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
