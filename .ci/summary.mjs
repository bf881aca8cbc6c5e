// Prints one "LEG: N passed, N failed" line per Jest --json results file given as LEG=FILE, then the total alone on the
// last line, which is what CI reads. A suite that failed to run counts as a failure (a crashed or aborted worker, a
// file that did not compile), and so does a leg with no results at all (the build or typecheck failed, or Node died).
import { readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
for (const arg of process.argv.slice(2)) {
  const [leg, file] = arg.split('=');
  let results;
  try {
    results = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    results = { numPassedTests: 0, numFailedTests: 1, testResults: [] };
  }
  const brokenSuites = results.testResults.filter((suite) => suite.status === 'failed' && suite.assertionResults.length === 0).length;
  const legFailed = results.numFailedTests + brokenSuites + (results.numPassedTests === 0 ? 1 : 0);
  console.log(`node-${leg}: ${results.numPassedTests} passed, ${legFailed} failed`);
  passed += results.numPassedTests;
  failed += legFailed;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
