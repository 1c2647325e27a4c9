// The function both sides of bench/serve.sh run: albcheck serve through
// --runtime nodejs20.x --handler handler.trivial (or handler.sleep), and
// serverless-offline through serverless.yml. sleep waits 50 ms without
// using the CPU, like a function waiting on a database.
'use strict';

const answer = () => ({
  statusCode: 200,
  statusDescription: '200 OK',
  headers: { 'Content-Type': 'application/json' },
  body: '{"ok":true}',
  isBase64Encoded: false,
});

exports.trivial = async () => answer();

exports.sleep = async () => {
  await new Promise((resolve) => setTimeout(resolve, 50));
  return answer();
};
