// Golden files live in snapshots/ (one per test file), not beside the tests.
const path = require('path');
const root = path.join(__dirname, '..');
module.exports = {
  resolveSnapshotPath: (testPath, ext) => path.join(root, 'snapshots', path.basename(testPath) + ext),
  resolveTestPath: (snapshotPath, ext) => path.join(root, 'test', path.basename(snapshotPath, ext)),
  testPathForConsistencyCheck: path.join(root, 'test', 'example.test.ts'),
};
