import { gzipSync } from 'zlib';

/**
 * A reproducible .tgz of files (ustar, fixed mode/owner/mtime, sorted paths, gzip with no timestamp):
 * the same files give the same bytes. `helm package` stamps the current time on every entry, so the
 * chart archives are written here instead, in the layout helm expects (`<chart>/Chart.yaml`, ...).
 *
 * Why not the `tar` package (npm's packer): it archives files from disk, and the charts are in memory
 * until the crash-safe commit writes them (src/output/commit.ts); staging them in a scratch folder only to
 * read them back would add I/O and a failure mode for the same bytes. Plain ustar headers for short paths
 * are all helm reads here; a path that needs more is refused.
 */
export interface TarEntry {
  readonly path: string;
  readonly content: string | Buffer;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(path: string, size: number): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  let name = path;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = path.lastIndexOf('/');
    prefix = path.slice(0, cut);
    name = path.slice(cut + 1);
    if (Buffer.byteLength(name) > 100 || Buffer.byteLength(prefix) > 155)
      throw new Error(`cdk8s-rdma: path too long for a tar entry: ${path}`);
  }
  h.write(name, 0, 'utf8');
  h.write(octal(0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii'); // uid
  h.write(octal(0, 8), 116, 'ascii'); // gid
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(0, 12), 136, 'ascii'); // mtime: the epoch
  h.write('        ', 148, 'ascii'); // checksum field counts as spaces
  h.write('0', 156, 'ascii'); // regular file
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write(prefix, 345, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 'ascii');
  return h;
}

export function tgz(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const body = Buffer.isBuffer(e.content) ? e.content : Buffer.from(e.content, 'utf8');
    parts.push(header(e.path, body.length), body, Buffer.alloc((BLOCK - (body.length % BLOCK)) % BLOCK, 0));
  }
  parts.push(Buffer.alloc(2 * BLOCK, 0));
  // Node's gzip header has MTIME 0 and the build's OS byte (3 on Linux, where releases are built).
  // The default level, as `helm package` writes (Go compress/gzip DefaultCompression, 6).
  return gzipSync(Buffer.concat(parts), { level: 6 });
}
