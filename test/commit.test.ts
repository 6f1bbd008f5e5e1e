import { execFileSync, spawn, spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  CommitStep,
  JOURNAL_FILE,
  LOCK_FILE,
  OutputPathError,
  OutputSet,
  breakStaleLock,
  recoverRoot,
  writeOutputs,
} from '../src/output/commit';
import { listFiles } from '../src/internal';
import { builtLib } from './built';
import { runCli } from './run-cli';
import { nodeArgs } from './node-child';

const root = join(__dirname, '..');
/** The compiled package (test/built.ts): child processes start as plain node, without a TypeScript loader. */
const lib = builtLib();
const node = (args: string[]) => [process.execPath, ...nodeArgs(args)].join(' ');

/** The old and the new output of a commit: two folders and a file, each complete in one version. */
function version(tag: string): OutputSet[] {
  return [
    {
      dir: 'OUT',
      label: '--out',
      keepForeign: true,
      folders: {
        'eks-efa': [
          { path: 'a.yaml', content: `a ${tag}\n` },
          { path: 'sub/b.yaml', content: `b ${tag}\n` },
          { path: 'bundle.json', content: JSON.stringify({ files: [{ path: 'a.yaml' }, { path: 'sub/b.yaml' }] }) },
        ],
        'eks-efa-checks': [
          { path: 'c.yaml', content: `c ${tag}\n` },
          { path: 'bundle.json', content: JSON.stringify({ files: [{ path: 'c.yaml' }] }) },
        ],
      },
      files: { 'charts/eks-efa-0.1.0.tgz': `archive ${tag}` },
    },
  ];
}
const at = (out: string, sets: OutputSet[]) => sets.map(s => ({ ...s, dir: out }));

/** `old`, `new`, or what else is at each target (a folder's files and contents, a file's content). */
function stateOf(out: string): Record<string, string> {
  const folder = (dir: string) =>
    existsSync(dir)
      ? listFiles(dir)
          .map(f => `${f}=${readFileSync(join(dir, f), 'utf8')}`)
          .join(';')
      : 'missing';
  const tagOf = (text: string) =>
    text.includes('old') && !text.includes('new') ? 'old' : text.includes('new') && !text.includes('old') ? 'new' : text;
  const file = join(out, 'charts', 'eks-efa-0.1.0.tgz');
  return {
    'eks-efa': tagOf(folder(join(out, 'eks-efa'))),
    'eks-efa-checks': tagOf(folder(join(out, 'eks-efa-checks'))),
    archive: existsSync(file) ? tagOf(readFileSync(file, 'utf8')) : 'missing',
  };
}

/** Entries an interrupted commit leaves behind, besides the outputs. */
function leftovers(out: string): string[] {
  const all = [out, join(out, 'charts')].filter(existsSync).flatMap(d => readdirSync(d).map(n => join(d, n)));
  return all.filter(p => /\.cdk8s-(new|old)-|\.cdk8s-rdma\.(lock|journal)/.test(p));
}

const CRASH = new Error('simulated crash');

function steps(): CommitStep[] {
  const dir = mkdtempSync(join(tmpdir(), 'rdma-steps-'));
  const seen: CommitStep[] = [];
  try {
    writeOutputs(at(dir, version('old')));
    writeOutputs(at(dir, version('new')), {
      step: s => {
        seen.push(s);
      },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return seen;
}

describe('the output commit is crash-safe', () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'rdma-commit-'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  const STEPS = steps();
  test('the commit has the steps the tests interrupt', () => {
    expect(STEPS).toEqual([
      'locked',
      'recovered',
      'staged',
      'journaled',
      'backup 0',
      'swap 0',
      'backup 1',
      'swap 1',
      'backup 2',
      'swap 2',
      'cleaned',
    ]);
  });

  /** Every target whole (old or new); only between its backup and its swap away, and then kept whole as the backup. */
  function expectWhole(step: CommitStep): void {
    const journal = existsSync(join(work, JOURNAL_FILE));
    for (const [target, state] of Object.entries(stateOf(work))) {
      if (state === 'missing') {
        expect({ target, journal, step }).toEqual({ target, journal: true, step: expect.stringMatching(/^backup /) });
      } else {
        expect({ target, state }).toEqual({ target, state: expect.stringMatching(/^(old|new)$/) });
      }
    }
  }

  test.each(STEPS)('interrupted after "%s": the disk holds the old or the new output, and the next run completes it', step => {
    writeOutputs(at(work, version('old')));
    expect(() =>
      writeOutputs(at(work, version('new')), {
        step: s => {
          if (s === step) throw CRASH;
        },
      }),
    ).toThrow(CRASH);
    expectWhole(step);
    // Before the journal, nothing changed; from it on, the next run rolls forward to the new output.
    const staged = STEPS.indexOf(step) < STEPS.indexOf('journaled');
    recoverRoot(work);
    expect(stateOf(work)).toEqual(
      staged
        ? { 'eks-efa': 'old', 'eks-efa-checks': 'old', archive: 'old' }
        : { 'eks-efa': 'new', 'eks-efa-checks': 'new', archive: 'new' },
    );
    expect(leftovers(work)).toEqual([]);
  });

  test.each(STEPS.filter(s => s !== 'cleaned'))(
    'killed (SIGKILL) after "%s": the next synth finds the old or the new output and clears every leftover',
    step => {
      writeOutputs(at(work, version('old')));
      const script = join(work, 'kill.js');
      writeFileSync(
        script,
        `
      const { writeOutputs } = require(${JSON.stringify(join(lib, 'src', 'output', 'commit'))});
      const sets = ${JSON.stringify(at(work, version('new')))};
      writeOutputs(sets, { step: s => { if (s === ${JSON.stringify(step)}) process.kill(process.pid, 'SIGKILL'); } });
    `,
      );
      // One process, so the kill is of the process that writes.
      const r = spawnSync(process.execPath, nodeArgs([script]), { encoding: 'utf8', cwd: root });
      expect({ signal: r.signal, err: r.stderr }).toEqual({ signal: 'SIGKILL', err: '' });
      expect(existsSync(join(work, LOCK_FILE))).toBe(true);
      expectWhole(step);
      // The next run takes the stale lock (its process is gone), recovers, and writes its own output.
      writeOutputs(at(work, version('next')));
      expect(Object.values(stateOf(work)).every(v => v.includes('next'))).toBe(true);
      expect(leftovers(work)).toEqual([]);
    },
  );

  test('an error while staging (a file where a folder is needed) leaves the old output and no leftovers', () => {
    writeOutputs(at(work, version('old')));
    const bad: OutputSet[] = [
      {
        dir: work,
        folders: {
          'eks-efa': [
            { path: 'a.yaml', content: 'a new' },
            { path: 'a.yaml/b', content: 'b new' },
          ],
        },
      },
    ];
    expect(() => writeOutputs(bad)).toThrow();
    expect(stateOf(work)).toEqual({ 'eks-efa': 'old', 'eks-efa-checks': 'old', archive: 'old' });
    expect(leftovers(work)).toEqual([]);
  });

  test('files the bundle does not own are kept; one the new bundle would overwrite is refused, naming it', () => {
    writeOutputs(at(work, version('old')));
    writeFileSync(join(work, 'eks-efa', 'NOTES.md'), 'my notes');
    mkdirSync(join(work, 'eks-efa', 'overlays', 'prod'), { recursive: true });
    writeFileSync(join(work, 'eks-efa', 'overlays', 'prod', 'kustomization.yaml'), 'resources: [../..]\n');
    writeOutputs(at(work, version('new')));
    expect(readFileSync(join(work, 'eks-efa', 'NOTES.md'), 'utf8')).toBe('my notes');
    expect(readFileSync(join(work, 'eks-efa', 'overlays', 'prod', 'kustomization.yaml'), 'utf8')).toBe('resources: [../..]\n');
    expect(readFileSync(join(work, 'eks-efa', 'a.yaml'), 'utf8')).toBe('a new\n');
    // A file of the old bundle that the new one no longer writes is gone (the bundle owned it).
    const fewer: OutputSet[] = [
      {
        dir: work,
        keepForeign: true,
        folders: {
          'eks-efa': [
            { path: 'bundle.json', content: JSON.stringify({ files: [{ path: 'a.yaml' }] }) },
            { path: 'a.yaml', content: 'a' },
          ],
        },
      },
    ];
    writeOutputs(fewer);
    expect(existsSync(join(work, 'eks-efa', 'sub'))).toBe(false);
    expect(existsSync(join(work, 'eks-efa', 'NOTES.md'))).toBe(true);
    // A user's file named like a new bundle file.
    writeFileSync(join(work, 'eks-efa', 'c.yaml'), 'mine');
    const clash: OutputSet[] = [
      { dir: work, keepForeign: true, label: '--out', folders: { 'eks-efa': [{ path: 'c.yaml', content: 'c' }] } },
    ];
    expect(() => writeOutputs(clash)).toThrow(
      `cdk8s-rdma: ${join(work, 'eks-efa', 'c.yaml')} is not part of the bundle but the new bundle writes a file of that name; move it elsewhere (--out)`,
    );
    expect(readFileSync(join(work, 'eks-efa', 'c.yaml'), 'utf8')).toBe('mine');
    expect(leftovers(work)).toEqual([]);
  });

  test('leftovers of earlier releases (.<out>.tmp-*) and a stale lock are cleared by the next run', () => {
    const out = join(work, 'dist');
    mkdirSync(join(work, '.dist.tmp-AbC123', 'folders'), { recursive: true });
    mkdirSync(out);
    writeFileSync(join(out, LOCK_FILE), '999999999\n');
    // A stale lock another run moved aside to remove it, and was killed before it could.
    writeFileSync(join(out, `${LOCK_FILE}.stale-999999999`), '999999999\n');
    writeOutputs(at(out, version('new')));
    expect(readdirSync(work)).toEqual(['dist']);
    expect(leftovers(out)).toEqual([]);
  });

  test('a lock file its run has created but not yet written is waited for, not broken; one left so for seconds is stale', () => {
    const out = join(work, 'dist');
    mkdirSync(out);
    writeFileSync(join(out, LOCK_FILE), '');
    expect(() => writeOutputs(at(out, version('new')), { lockTimeoutMs: 200 })).toThrow(
      new OutputPathError(`cdk8s-rdma: another cdk8s-rdma run is writing ${out}; try again once it has finished`),
    );
    expect(readFileSync(join(out, LOCK_FILE), 'utf8')).toBe('');
    const past = new Date(Date.now() - 5000);
    utimesSync(join(out, LOCK_FILE), past, past);
    writeOutputs(at(out, version('new')));
    expect(stateOf(out)).toEqual({ 'eks-efa': 'new', 'eks-efa-checks': 'new', archive: 'new' });
    expect(leftovers(out)).toEqual([]);
  });

  test('breaking a stale lock removes that lock only: one another run took meanwhile is put back, one removed meanwhile is left so', () => {
    const out = join(work, 'dist');
    mkdirSync(out);
    const lock = join(out, LOCK_FILE);
    writeFileSync(lock, '999999999\n');
    const stale = statSync(lock).ino;
    breakStaleLock(lock, stale);
    expect(readdirSync(out)).toEqual([]);
    // Between this run's reading the stale lock and its breaking it, another run broke it and took the lock.
    const live = `${process.ppid} 0123456789ab\n`;
    writeFileSync(lock, live);
    // (The new file may reuse the removed one's inode: then name another as the stale one.)
    breakStaleLock(lock, stale === statSync(lock).ino ? stale + 1 : stale);
    expect(readdirSync(out)).toEqual([LOCK_FILE]);
    expect(readFileSync(lock, 'utf8')).toBe(live);
    // Released before this run could move it: nothing to do.
    rmSync(lock);
    breakStaleLock(lock, stale);
    expect(readdirSync(out)).toEqual([]);
  });

  test('a run releases only its own lock: one that another run holds (written in its place) is left alone', () => {
    const out = join(work, 'dist');
    let other = '';
    writeOutputs(at(out, version('new')), {
      step: s => {
        if (s !== 'cleaned') return;
        // As if another run had taken the lock from this one: its file, its pid (this test's parent, alive).
        other = `${process.ppid} 0123456789ab\n`;
        writeFileSync(join(out, LOCK_FILE), other);
      },
    });
    expect(readFileSync(join(out, LOCK_FILE), 'utf8')).toBe(other);
  });
});

describe('the CLI under concurrency and interruption', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'rdma-concurrent-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const cli = join(lib, 'src', 'cli.js');

  test('two synths into one folder at the same time both succeed, one after the other, and leave one complete output', async () => {
    const out = join(work, 'dist');
    const runOne = () =>
      new Promise<number>(done => {
        const p = spawn(process.execPath, nodeArgs([cli, 'synth', '--out', out]), { stdio: 'ignore' });
        p.on('exit', code => done(code ?? -1));
      });
    expect(await Promise.all([runOne(), runOne()])).toEqual([0, 0]);
    const fresh = join(work, 'fresh');
    expect((await runCli(['synth', '--out', fresh])).code).toBe(0);
    expect(listFiles(out)).toEqual(listFiles(fresh));
    for (const f of listFiles(fresh))
      expect({ f, same: readFileSync(join(out, f), 'utf8') === readFileSync(join(fresh, f), 'utf8') }).toEqual({ f, same: true });
  });

  test('runs that take turns at one lock all the time never hold it together (each checks that the output is its own whole)', async () => {
    // Three processes commit to one folder 150 times each, as fast as they can: every commit's output must be
    // whole and its own while it holds the lock, and no run may fail. A lock that is seen before it holds its
    // owner's pid (or a stale lock two runs break at once) lets two runs in.
    const out = join(work, 'turns');
    const script = join(work, 'turns.js');
    writeFileSync(
      script,
      `
      const { readFileSync } = require('fs');
      const { join } = require('path');
      const { writeOutputs } = require(${JSON.stringify(join(lib, 'src', 'output', 'commit'))});
      const me = process.argv[2];
      for (let i = 0; i < 150; i++) {
        const tag = me + '-' + i;
        writeOutputs([{ dir: ${JSON.stringify(out)}, folders: { f: [{ path: 'a', content: tag }, { path: 'b', content: tag }] } }], {
          step: s => {
            // While it holds the lock, the lock names this run, and the output is this run's, whole.
            const holder = readFileSync(join(${JSON.stringify(out)}, ${JSON.stringify(LOCK_FILE)}), 'utf8').trim().split(' ')[0];
            if (holder !== String(process.pid)) throw new Error('run ' + tag + ' at ' + s + ': the lock names ' + JSON.stringify(holder));
            if (s !== 'cleaned') return;
            const seen = ['a', 'b'].map(n => readFileSync(join(${JSON.stringify(out)}, 'f', n), 'utf8'));
            if (seen[0] !== tag || seen[1] !== tag) throw new Error('run ' + tag + ' holds the lock but sees ' + seen.join(', '));
          },
        });
      }
    `,
    );
    const runOne = (me: string) =>
      new Promise<{ code: number; err: string }>(done => {
        const p = spawn(process.execPath, nodeArgs([script, me]), { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        p.stderr.on('data', d => (err += d));
        p.on('exit', code => done({ code: code ?? -1, err: err.split('\n').find(l => /Error/.test(l)) ?? '' }));
      });
    expect(await Promise.all(['x', 'y', 'z'].map(runOne))).toEqual([0, 0, 0].map(() => ({ code: 0, err: '' })));
    expect(leftovers(out)).toEqual([]);
  });

  test('SIGTERM in the middle of a synth: the next synth recovers, leaving no temporary folder', () => {
    const out = join(work, 'term');
    const all = `${node([cli])} synth --format all --out ${out} --charts ${join(work, 'charts')}`;
    // A whole run's time on this machine, so that the interrupts below land inside a run, wherever it is slow.
    const started = process.hrtime.bigint();
    execFileSync('sh', ['-c', all], { stdio: 'ignore' });
    const runSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    // Interrupt a run early, midway and late; each following run must succeed and leave no leftover.
    const statuses: string[] = [];
    for (const fraction of [0.3, 0.6, 0.9]) {
      const r = spawnSync(
        'sh',
        ['-c', `${all} >/dev/null & pid=$!; sleep ${(fraction * runSeconds).toFixed(3)}; kill -TERM $pid 2>/dev/null; wait $pid; echo $?`],
        { encoding: 'utf8' },
      );
      expect(r.status).toBe(0);
      statuses.push(r.stdout.trim());
      execFileSync(process.execPath, nodeArgs([cli, 'synth', '--out', out]), { stdio: 'ignore' });
      expect(leftovers(out)).toEqual([]);
      expect(readdirSync(work).filter(n => n.startsWith('.'))).toEqual([]);
    }
    // The interrupts landed inside runs (128 + SIGTERM): at least the early one, whatever this machine's speed.
    expect(statuses[0]).toBe('143');
  });
});
