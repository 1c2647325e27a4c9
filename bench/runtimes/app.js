// The trivial handler bench/runtimes.sh runs in every way: the same small
// answer to any event, so that what is measured is the way it is run.
exports.handler = async (event) => ({
  statusCode: 200,
  statusDescription: '200 OK',
  isBase64Encoded: false,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ path: event.path }),
});
