// Prints "N passed, N failed" from Jest's --json results. A suite that failed to run counts as a failure,
// and so do no results at all (the build or typecheck failed before Jest started).
import { readFileSync } from 'node:fs';

let results;
try {
  results = JSON.parse(readFileSync(process.argv[2], 'utf8'));
} catch {
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const brokenSuites = results.testResults.filter((suite) => suite.status === 'failed' && suite.assertionResults.length === 0).length;
const failed = results.numFailedTests + brokenSuites;
console.log(`${results.numPassedTests} passed, ${failed} failed`);
process.exit(failed > 0 || results.numPassedTests === 0 ? 1 : 0);
