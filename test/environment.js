/**
 * Jest test environment: jest-environment-node's, in a vanilla V8 context.
 *
 * jest-environment-node runs each test file in a context from `vm.createContext()`, whose global object Node
 * "contextifies": interceptors on it route every global lookup (`Array`, `Object`, `JSON`, `Symbol`, ...) through
 * a C++ callback. The sources, cdk8s and the YAML and schema libraries look such names up all the time, so
 * everything a test runs is slower there than in Node's own context (measured here: the switch-pair oracle of
 * helm.test.ts 1.5 times, a loop over `Array.isArray` and `Object.keys` 4 times). `vm.constants.DONT_CONTEXTIFY`
 * asks for a context without the interceptors (nodejs/node PR #54394, "vm: introduce vanilla contexts via
 * vm.constants.DONT_CONTEXTIFY"; Node 22.8.0, and in the Node 20.20.2 this project runs on). Each test file
 * still gets a context of its own, set up as jest-environment-node sets up any other.
 *
 * Where Node lacks the constant, this is jest-environment-node unchanged. test/environment.test.ts checks both.
 */
const vm = require('vm');
const { TestEnvironment } = require('jest-environment-node');

/** Whether this Node makes vanilla contexts. */
const VANILLA = vm.constants !== undefined && vm.constants.DONT_CONTEXTIFY !== undefined;

class VanillaContextEnvironment extends TestEnvironment {
  constructor(config, context) {
    if (!VANILLA) {
      super(config, context);
      return;
    }
    // jest-environment-node 29.7.0 calls `vm.createContext()` (through its lazy `require('vm')`, build/index.js)
    // once, in its constructor, and sets up the globals on what `runInContext('this', context)` returns: for a
    // vanilla context, the context itself.
    const createContext = vm.createContext;
    vm.createContext = (...args) => (args.length === 0 ? createContext(vm.constants.DONT_CONTEXTIFY) : createContext(...args));
    try {
      super(config, context);
    } finally {
      vm.createContext = createContext;
    }
  }
}

VanillaContextEnvironment.VANILLA = VANILLA;
module.exports = VanillaContextEnvironment;
