import { join } from 'path';
import * as vm from 'vm';
import NodeEnvironment, { TestEnvironment } from 'jest-environment-node';

const root = join(__dirname, '..');

const built: NodeEnvironment[] = [];
/** An environment as jest builds one for a test file (the config fields jest-environment-node 29.7.0 reads). */
function build(Environment: typeof NodeEnvironment): NodeEnvironment {
  const projectConfig = { testEnvironmentOptions: {}, globals: {}, fakeTimers: {}, setupFiles: [] } as any;
  const env = new Environment({ projectConfig, globalConfig: {} as any }, { console, docblockPragmas: {}, testPath: __filename });
  built.push(env);
  return env;
}
afterAll(async () => {
  for (const env of built) await env.teardown();
});

/** Whether the environment's context is vanilla: its global object is the context object itself. */
const vanilla = (env: NodeEnvironment) => vm.runInContext('globalThis', env.getVmContext()!) === env.getVmContext();

describe('the test environment (test/environment.js)', () => {
  test('jest.config.js runs every test file in it', () => {
    expect(require(join(root, 'jest.config.js')).testEnvironment).toBe('<rootDir>/test/environment.js');
  });

  test("on this Node its contexts are vanilla, set up as jest-environment-node's; jest-environment-node's own are not", () => {
    const Environment = require('./environment');
    expect(Environment.VANILLA).toBe(true);
    const env = build(Environment);
    expect(vanilla(env)).toBe(true);
    // jest's globals are there, and code runs in the context with its own built-ins.
    const context = env.getVmContext()!;
    expect(env.global.Buffer).toBe(Buffer);
    expect(vm.runInContext('typeof setTimeout + " " + Array.isArray([]) + " " + (globalThis.global === globalThis)', context)).toBe(
      'function true true',
    );
    expect(vm.runInContext('Array', context)).not.toBe(Array);
    // The stock environment contextifies: the check above can fail.
    expect(vanilla(build(TestEnvironment))).toBe(false);
    // vm.createContext is Node's again afterwards.
    expect(vanilla({ getVmContext: () => vm.createContext() } as NodeEnvironment)).toBe(false);
  });

  test('where Node has no vm.constants.DONT_CONTEXTIFY it is jest-environment-node unchanged', () => {
    jest.isolateModules(() => {
      jest.doMock('vm', () => ({ ...jest.requireActual('vm'), constants: undefined }));
      const Environment = require('./environment');
      expect(Environment.VANILLA).toBe(false);
      expect(vanilla(build(Environment))).toBe(false);
    });
    jest.dontMock('vm');
  });
});
