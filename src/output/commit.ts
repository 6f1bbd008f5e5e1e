import { randomBytes } from 'crypto';
import {
  closeSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'fs';
import { basename, dirname, join, resolve, sep } from 'path';

/**
 * Crash-safe, concurrency-safe replacement of output folders and files.
 *
 * Everything new is first written to staging entries beside its target (same folder, so renames stay on one
 * file system). Then a journal listing every swap is written atomically, each existing target is renamed to
 * a backup and its staging entry renamed into its place, and finally the backups and the journal are removed.
 * A lock file in every output root keeps two runs apart. At any moment the disk holds the complete old output
 * or the complete new one for every target: before the journal exists the targets are untouched; once it
 * exists the staged new output is complete, and the next run that takes the lock finishes the swap (rolls
 * forward) and removes every leftover. A run interrupted by SIGINT, SIGTERM or SIGKILL therefore leaves
 * nothing that the next run does not recover.
 */

/** A file to write: text or bytes. */
export interface OutputFile {
  readonly path: string;
  readonly content: string | Uint8Array;
}

/** Output under one folder: sub-folders replaced whole, and single files replaced one by one. */
export interface OutputSet {
  readonly dir: string;
  /** Option that named `dir`, for messages (e.g. `--out`). @default 'output folder' */
  readonly label?: string;
  readonly folders?: Record<string, readonly OutputFile[]>;
  readonly files?: Record<string, string | Uint8Array>;
  /**
   * Keep what a user put in these folders: entries of the existing folder that its previous `bundle.json`
   * does not list are copied into the new folder (a new file of the same name is refused).
   * @default false
   */
  readonly keepForeign?: boolean;
}

/** Bad output paths, or the environment refusing them (a file where a folder should be, no permission, a full disk). */
export class OutputPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputPathError';
  }
}

/** Steps of a commit, reported to `hooks.step` (tests inject failures and kills at each). */
export type CommitStep = 'locked' | 'recovered' | 'staged' | 'journaled' | `backup ${number}` | `swap ${number}` | 'cleaned';

export interface CommitHooks {
  /** Called after each step; a throw there is an interruption at that point (nothing is cleaned up). */
  readonly step?: (step: CommitStep) => void;
  /** How long to wait for another run's lock. @default 60000 */
  readonly lockTimeoutMs?: number;
}

export const LOCK_FILE = '.cdk8s-rdma.lock';
export const JOURNAL_FILE = '.cdk8s-rdma.journal.json';
const STAGED = '.cdk8s-new-';
const BACKUP = '.cdk8s-old-';
/** Staging folders of earlier releases (`.<dir>.tmp-*` beside an output root). */
const LEGACY_TEMP = /^\..+\.tmp-[A-Za-z0-9]+$/;
/** A stale lock file a run moved aside to remove it (`<lock>.stale-<pid>`): a leftover once that run is gone. */
const STALE_LOCK = '.stale-';
const STALE_LOCK_NAME = /^\.cdk8s-rdma\.lock\.stale-(\d+)$/;

interface JournalEntry {
  readonly target: string;
  readonly staged: string;
  readonly backup: string;
}

/** Writes several output sets at once, crash-safe and concurrency-safe (see the module comment). */
export function writeOutputs(sets: readonly OutputSet[], hooks: CommitHooks = {}): void {
  const step = hooks.step ?? (() => undefined);
  const targets = planTargets(sets);
  const roots = [...new Set(sets.map(s => resolve(s.dir)))].sort();
  const locks = lockRoots(roots, hooks.lockTimeoutMs ?? 60000);
  let journalPath: string | undefined;
  const staged: string[] = [];
  try {
    step('locked');
    for (const root of roots) recoverRoot(root);
    step('recovered');
    const entries: JournalEntry[] = [];
    for (const t of targets) {
      const id = randomBytes(6).toString('hex');
      const parent = dirname(t.target);
      const name = basename(t.target);
      const entry = { target: t.target, staged: join(parent, `.${name}${STAGED}${id}`), backup: join(parent, `.${name}${BACKUP}${id}`) };
      ensureFolder(parent, t.label);
      staged.push(entry.staged);
      if (t.files) writeFolder(entry.staged, t.files, t.keepForeign ? t.target : undefined, t.label);
      else guard(entry.staged, () => writeFileSync(entry.staged, t.content!));
      entries.push(entry);
    }
    step('staged');
    journalPath = join(roots[0], JOURNAL_FILE);
    writeJson(journalPath, { entries });
    step('journaled');
    entries.forEach((e, i) => {
      if (existsSync(e.target)) guard(e.target, () => renameSync(e.target, e.backup));
      step(`backup ${i}`);
      guard(e.target, () => renameSync(e.staged, e.target));
      step(`swap ${i}`);
    });
    for (const e of entries) rmSync(e.backup, { recursive: true, force: true });
    rmSync(journalPath, { force: true });
    step('cleaned');
  } catch (e) {
    // Before the journal exists the old output is untouched: drop what was staged. After, the next run rolls forward.
    if (!journalPath || !existsSync(journalPath)) for (const s of staged) rmSync(s, { recursive: true, force: true });
    throw e;
  } finally {
    for (const lock of locks) unlock(lock);
  }
}

interface PlannedTarget {
  readonly target: string;
  readonly label: string;
  readonly files?: readonly OutputFile[];
  readonly content?: string | Uint8Array;
  readonly keepForeign: boolean;
}

/** Every folder and file the sets replace; refuses targets that are or lie inside one another. */
function planTargets(sets: readonly OutputSet[]): PlannedTarget[] {
  const out: PlannedTarget[] = [];
  for (const set of sets) {
    const label = set.label ?? 'output folder';
    const dir = resolve(set.dir);
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw new OutputPathError(`cdk8s-rdma: ${label} ${dir} is not a folder`);
    for (const [folder, files] of Object.entries(set.folders ?? {}))
      out.push({ target: join(dir, folder), label, files, keepForeign: set.keepForeign ?? false });
    for (const [path, content] of Object.entries(set.files ?? {}))
      out.push({ target: join(dir, path), label, content, keepForeign: false });
  }
  for (const a of out) {
    for (const b of out) {
      if (a !== b && (a.target === b.target || a.target.startsWith(b.target + sep))) {
        throw new OutputPathError(
          `cdk8s-rdma: ${a.label} and ${b.label} overlap: ${a.target} would be written ${a.target === b.target ? 'twice' : `inside ${b.target}`}; give them separate folders`,
        );
      }
    }
  }
  return out;
}

/** Runs a file-system call; an error the environment raises (permission, full disk, a file in the way) names the path. */
function guard<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code && ['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'ENOTDIR', 'EEXIST', 'EISDIR', 'ENAMETOOLONG'].includes(code)) {
      throw new OutputPathError(
        `cdk8s-rdma: cannot write ${path}: ${code} (${(e as Error).message.replace(/^[A-Z]+: /, '').split(',')[0]})`,
      );
    }
    throw e;
  }
}

function ensureFolder(dir: string, label: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new OutputPathError(`cdk8s-rdma: ${label} ${dir} is not a folder`);
  guard(dir, () => mkdirSync(dir, { recursive: true }));
}

/** Writes a staged folder; with `keepFrom`, copies in what the existing folder holds that its bundle.json does not list. */
function writeFolder(dir: string, files: readonly OutputFile[], keepFrom: string | undefined, label: string): void {
  const made = new Set<string>();
  const names = new Set(files.map(f => f.path.split('/')[0]));
  for (const f of files) {
    const target = join(dir, f.path);
    const parent = dirname(target);
    if (!made.has(parent)) {
      guard(parent, () => mkdirSync(parent, { recursive: true }));
      made.add(parent);
    }
    guard(target, () => writeFileSync(target, f.content));
  }
  if (!keepFrom || !existsSync(keepFrom) || !statSync(keepFrom).isDirectory()) return;
  const owned = ownedEntries(keepFrom);
  for (const entry of readdirSync(keepFrom)) {
    if (owned.has(entry)) continue;
    if (names.has(entry)) {
      throw new OutputPathError(
        `cdk8s-rdma: ${join(keepFrom, entry)} is not part of the bundle but the new bundle writes a file of that name; move it elsewhere (${label})`,
      );
    }
    guard(join(dir, entry), () => cpSync(join(keepFrom, entry), join(dir, entry), { recursive: true, preserveTimestamps: true }));
  }
}

/** What a bundle folder owns: bundle.json and every file its `files` list names. */
function ownedEntries(folder: string): Set<string> {
  const owned = new Set<string>(['bundle.json']);
  try {
    const meta = JSON.parse(readFileSync(join(folder, 'bundle.json'), 'utf8'));
    for (const f of meta.files ?? []) if (typeof f.path === 'string') owned.add(f.path.split('/')[0]);
  } catch {
    // No bundle.json (or an unreadable one): every entry is the user's.
  }
  return owned;
}

function writeJson(path: string, data: unknown): void {
  const tmp = `${path}${STAGED}${randomBytes(6).toString('hex')}`;
  guard(path, () => {
    writeFileSync(tmp, JSON.stringify(data));
    renameSync(tmp, path);
  });
}

/**
 * Finishes or clears what an interrupted run left in `root`: with a journal, every swap it lists is completed
 * (rolled forward: the staged output is complete once the journal exists); then staging entries, backups and
 * the legacy `.<name>.tmp-*` folders beside the root are removed.
 */
export function recoverRoot(root: string): void {
  const journal = join(root, JOURNAL_FILE);
  if (existsSync(journal)) {
    let entries: JournalEntry[];
    try {
      entries = JSON.parse(readFileSync(journal, 'utf8')).entries ?? [];
    } catch {
      entries = [];
    }
    for (const e of entries) {
      if (!existsSync(e.staged)) continue;
      if (existsSync(e.target) && !existsSync(e.backup)) guard(e.target, () => renameSync(e.target, e.backup));
      else if (existsSync(e.target)) rmSync(e.target, { recursive: true, force: true });
      guard(e.target, () => renameSync(e.staged, e.target));
    }
    for (const e of entries) rmSync(e.backup, { recursive: true, force: true });
    rmSync(journal, { force: true });
  }
  if (existsSync(root)) {
    for (const name of readdirSync(root)) {
      const mover = STALE_LOCK_NAME.exec(name);
      if (mover && !isAlive(Number(mover[1]))) rmSync(join(root, name), { force: true });
    }
  }
  for (const dir of leftoverFolders(root)) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (name.includes(STAGED) || name.includes(BACKUP)) rmSync(join(dir, name), { recursive: true, force: true });
    }
  }
  const parent = dirname(root);
  if (existsSync(parent)) {
    const own = basename(root);
    for (const name of readdirSync(parent)) {
      if (name.startsWith(`.${own}.tmp-`) && LEGACY_TEMP.test(name)) rmSync(join(parent, name), { recursive: true, force: true });
    }
  }
}

/** The root and its direct sub-folders (file targets such as `charts/<archive>` sit one level down). */
function leftoverFolders(root: string): string[] {
  if (!existsSync(root)) return [];
  return [
    root,
    ...readdirSync(root)
      .map(n => join(root, n))
      .filter(p => {
        try {
          return lstatSync(p).isDirectory() && !basename(p).includes(STAGED) && !basename(p).includes(BACKUP);
        } catch {
          return false;
        }
      }),
  ];
}

interface Lock {
  readonly path: string;
  /** What this run wrote in the lock file: its pid and a random token (`<pid> <token>`). */
  readonly content: string;
}

/** Takes the lock of every root, in sorted order (two runs never wait on each other in a cycle). */
function lockRoots(roots: readonly string[], timeoutMs: number): Lock[] {
  const locks: Lock[] = [];
  try {
    for (const root of roots) locks.push(lockRoot(root, timeoutMs));
  } catch (e) {
    for (const l of locks) unlock(l);
    throw e;
  }
  return locks;
}

/**
 * A lock file whose pid is not there yet: its run created it an instant ago and is writing it. Only a run killed
 * between the two leaves one for longer; after this long it is taken for stale.
 */
const UNWRITTEN_LOCK_MS = 2000;

function lockRoot(root: string, timeoutMs: number): Lock {
  ensureFolder(root, 'output folder');
  const path = join(root, LOCK_FILE);
  const content = `${process.pid} ${randomBytes(6).toString('hex')}\n`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, content);
      } finally {
        closeSync(fd);
      }
      return { path, content };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
        return guard(path, () => {
          throw e;
        });
    }
    const seen = readLock(path);
    if (seen === undefined) continue; // released meanwhile
    const holder = Number.parseInt(seen.content, 10);
    // Created but not yet written (`wx` creates the file empty): its run is alive unless it stays so.
    const unwritten = seen.content === '' && Date.now() - seen.mtimeMs < UNWRITTEN_LOCK_MS;
    if (!unwritten && (!Number.isInteger(holder) || !isAlive(holder))) {
      // A stale lock: its run was killed. Its leftovers are recovered once this run holds the lock.
      breakStaleLock(path, seen.ino);
      continue;
    }
    if (Date.now() > deadline) {
      const who = Number.isInteger(holder) ? ` (pid ${holder})` : '';
      throw new OutputPathError(`cdk8s-rdma: another cdk8s-rdma run${who} is writing ${root}; try again once it has finished`);
    }
    sleep(50);
  }
}

/** The lock file's content, inode and time, or undefined once it is gone. */
function readLock(path: string): { content: string; ino: number; mtimeMs: number } | undefined {
  try {
    const st = statSync(path);
    return { content: readFileSync(path, 'utf8'), ino: st.ino, mtimeMs: st.mtimeMs };
  } catch {
    return undefined;
  }
}

/**
 * Removes the stale lock file `ino`, and only it: two runs may find one stale lock at once, and the slower must
 * not remove the lock the faster has taken since. The lock is moved aside (atomic) and removed if it is the
 * stale one; a live lock moved by mistake is moved back. (Only three runs racing for one stale lock within
 * microseconds can still meet: a third run locks before the live lock is back, and the two both go on.)
 */
export function breakStaleLock(path: string, ino: number): void {
  const aside = `${path}${STALE_LOCK}${process.pid}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // gone already: another run broke it
  }
  let movedIno: number | undefined;
  try {
    movedIno = statSync(aside).ino;
  } catch {
    return;
  }
  if (movedIno !== ino && !existsSync(path)) renameSync(aside, path);
  rmSync(aside, { force: true });
}

/** Releases a lock this run holds (never another run's, should it have been taken from this one). */
function unlock(lock: Lock): void {
  if (safeRead(lock.path) === lock.content) rmSync(lock.path, { force: true });
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const SLEEPER = new Int32Array(new SharedArrayBuffer(4));
function sleep(ms: number): void {
  Atomics.wait(SLEEPER, 0, 0, ms);
}

/** Writes one file atomically: a temporary file beside it, renamed over it (no partial file on error). */
export function writeFileAtomic(target: string, content: string | Uint8Array): void {
  const dir = dirname(target);
  if (existsSync(target) && statSync(target).isDirectory()) throw new OutputPathError(`cdk8s-rdma: ${target} is a folder; name a file`);
  ensureFolder(dir, 'the folder of');
  const tmp = join(dir, `.${basename(target)}${STAGED}${process.pid}`);
  try {
    guard(target, () => {
      writeFileSync(tmp, content);
      renameSync(tmp, target);
    });
  } finally {
    rmSync(tmp, { force: true });
  }
}
