// Prints the plain closing line CI reads ("N passed, N failed") as the very last line of the run,
// counting suites that failed to run as failures.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.once('exit', () => {
      process.stdout.write(`\n${results.numPassedTests} passed, ${failed} failed\n`);
    });
  }
}
module.exports = SummaryReporter;
