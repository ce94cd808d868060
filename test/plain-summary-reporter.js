// Ends the run with one plain line, `Tests: N passed, N failed[, N skipped]`, that CI tooling reads as the
// test count (jest's own summary says "N passed, N total", which such tooling does not recognise).
class PlainSummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const tail = skipped > 0 ? `, ${skipped} skipped` : '';
    process.stdout.write(`Tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed${tail}\n`);
  }
}

module.exports = PlainSummaryReporter;
