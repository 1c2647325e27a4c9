// Handlers for albcheck's --runtime nodejs tests, one per Lambda style.
const respond = (event, context, style) => ({
  statusCode: 200,
  statusDescription: '200 OK',
  isBase64Encoded: false,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    style,
    path: event.path,
    requestId: context.awsRequestId,
    functionName: context.functionName,
    arn: context.invokedFunctionArn,
    remaining: context.getRemainingTimeInMillis(),
  }),
});

exports.handler = async (event, context) => {
  console.log('handling', event.path);
  return respond(event, context, 'async');
};

exports.callback = (event, context, callback) => {
  setTimeout(() => callback(null, respond(event, context, 'callback')), 1);
};

exports.callbackError = (event, context, callback) => {
  callback(new TypeError('bad callback'));
};

class OrderNotFound extends Error {}
OrderNotFound.prototype.name = 'OrderNotFound';

exports.throws = async () => {
  throw new OrderNotFound('no order 42');
};

exports.hangs = () => new Promise(() => {
  setInterval(() => {}, 1000);
});

exports.succeed = (event, context) => {
  context.succeed(respond(event, context, 'succeed'));
};

exports.fail = (event, context) => {
  context.fail(new Error('failed through the context'));
};

exports.uncaught = (event, context, callback) => {
  setTimeout(() => { throw new SyntaxError('thrown from a timer'); }, 1);
};

exports.unhandled = async () => {
  Promise.reject(new TypeError('nobody waits for me'));
  return new Promise(() => {});
};

exports.crashes = () => process.exit(3);

// loud prints 3 MB in one invocation: all of it is that invocation's
// output, none of it the next one's.
exports.loud = async (event, context) => {
  if (event.path === '/loud') console.log('x'.repeat(3 << 20));
  console.log('tab\there', event.path);
  return respond(event, context, 'loud');
};

// waits leaves a timer running and calls back at once: with
// callbackWaitsForEmptyEventLoop (the default) the answer waits for the
// timer; without it (path /nowait), the answer goes at once and the timer
// fires later, in the next invocation's time.
exports.waits = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = event.path !== '/nowait';
  setTimeout(() => console.log('pending work done for', event.path), 400);
  callback(null, respond(event, context, 'waits'));
};

// neverSettles is async and its promise never settles, and nothing else
// keeps the event loop busy.
exports.neverSettles = async () => new Promise(() => {});

// forgets is a callback handler that never calls back.
exports.forgets = (event, context, callback) => {};

// Megabytes of log lines, then an error line: it must come last, as logged.
exports.loudThenError = async (event, context) => {
  for (let i = 0; i < 400; i++) console.log('x'.repeat(1000));
  console.error('CE-MARK');
  return respond(event, context, 'loud then error');
};

// Answers, and leaves a timer that rejects a promise nobody waits for.
exports.rejectsLater = async (event, context) => {
  setTimeout(() => Promise.reject(new Error('rejected after the answer')), 50);
  return respond(event, context, 'rejects later');
};

// An answer far over Lambda's 6 MB limit.
exports.huge = async () => ({ statusCode: 200, body: 'x'.repeat(20 * 1024 * 1024) });
