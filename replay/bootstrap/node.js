// albcheck's Node.js bootstrap: a Lambda runtime client that speaks the
// Runtime API (2018-06-01) as AWS's aws-lambda-nodejs-runtime-interface-client
// does. Embedded in albcheck and run with the node found on PATH.
'use strict';

const net = require('net');
const path = require('path');
const { pathToFileURL } = require('url');

const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const base = '/2018-06-01/runtime';

// request speaks HTTP/1.1 to the Runtime API on one kept-alive connection,
// one request at a time. Written here rather than with Node's http module
// for the same reason AWS's runtime client calls the API from native code:
// the module's JavaScript (agent, parser wrappers, header objects) cost
// more than the rest of an invocation together, and more again in every
// fresh process until V8 had compiled it (80% of the CPU of serve's
// environments under load). The API's answers are small and plain: a
// status line, headers, and a body of Content-Length bytes or chunked.
let conn = null; // { socket, buf, waiting: [{resolve, reject}] }
let queue = Promise.resolve();

function connect() {
  const c = { socket: net.connect(Number(port), host), buf: Buffer.alloc(0), waiting: [] };
  c.socket.setNoDelay(true);
  c.socket.on('data', (chunk) => {
    c.buf = c.buf.length ? Buffer.concat([c.buf, chunk]) : chunk;
    for (;;) {
      const w = c.waiting[0];
      if (!w) return;
      const res = parseResponse(c.buf);
      if (!res) return;
      c.buf = c.buf.subarray(res.used);
      c.waiting.shift();
      // An idle connection does not keep the event loop alive, as the
      // http module's kept-alive sockets do not: a callback handler's
      // answer waits for an empty loop (callbackWaitsForEmptyEventLoop).
      if (c.waiting.length === 0) c.socket.unref();
      w.resolve(res);
    }
  });
  const fail = (err) => {
    if (conn === c) conn = null;
    for (const w of c.waiting.splice(0)) w.reject(err || new Error('the Runtime API closed the connection'));
  };
  c.socket.on('error', fail);
  c.socket.on('close', () => fail());
  return c;
}

// parseResponse reads one response from the start of buf, or returns null
// while it is incomplete.
function parseResponse(buf) {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = buf.toString('latin1', 0, end).split('\r\n');
  const status = Number(lines[0].split(' ')[1]);
  const headers = {};
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(':');
    if (colon > 0) headers[lines[i].slice(0, colon).trim().toLowerCase()] = lines[i].slice(colon + 1).trim();
  }
  let at = end + 4;
  if (headers['content-length'] !== undefined) {
    const n = Number(headers['content-length']);
    if (buf.length < at + n) return null;
    return { status, headers, body: buf.toString('utf8', at, at + n), used: at + n };
  }
  if ((headers['transfer-encoding'] || '').toLowerCase() === 'chunked') {
    const parts = [];
    for (;;) {
      const eol = buf.indexOf('\r\n', at);
      if (eol < 0) return null;
      const size = parseInt(buf.toString('latin1', at, eol), 16);
      if (buf.length < eol + 2 + size + 2) return null;
      if (size === 0) return { status, headers, body: Buffer.concat(parts).toString('utf8'), used: eol + 4 };
      parts.push(buf.subarray(eol + 2, eol + 2 + size));
      at = eol + 2 + size + 2;
    }
  }
  return { status, headers, body: '', used: at }; // 202 and the like, without a body
}

function request(method, urlPath, body, headers) {
  const send = () => new Promise((resolve, reject) => {
    if (!conn) conn = connect();
    const payload = body === undefined ? null : Buffer.from(body, 'utf8');
    let head = `${method} ${urlPath} HTTP/1.1\r\nHost: ${host}:${port}\r\n`;
    for (const [k, v] of Object.entries(headers || {})) head += `${k}: ${v}\r\n`;
    if (payload) head += `Content-Length: ${payload.length}\r\n`;
    conn.waiting.push({ resolve, reject });
    conn.socket.ref();
    conn.socket.write(payload ? Buffer.concat([Buffer.from(head + '\r\n', 'latin1'), payload]) : head + '\r\n');
  });
  const p = queue.then(send, send);
  queue = p.catch(() => {});
  return p;
}

// errorResponse is the shape AWS's Node.js runtime reports an error in:
// errorType, errorMessage and trace (the stack's lines).
function errorResponse(err, type) {
  if (err instanceof Error) {
    return {
      errorType: type || err.name || 'Error',
      errorMessage: err.message,
      trace: typeof err.stack === 'string' ? err.stack.split('\n') : [],
    };
  }
  return { errorType: type || typeof err, errorMessage: String(err), trace: [] };
}

// flushOutput settles once what the function wrote to stdout and stderr
// has left the process. Node writes to a pipe asynchronously: without the
// wait, a large console.log would still be on its way when the answer is
// posted, and albcheck would count it as the next invocation's output.
function flushOutput() {
  return Promise.all([process.stdout, process.stderr].map((s) => new Promise((resolve) => {
    if (s.writableLength === 0) resolve();
    else s.write('', resolve); // called once everything before it is written
  })));
}

function postError(urlPath, err, type) {
  const resp = errorResponse(err, type);
  return request('POST', urlPath, JSON.stringify(resp), {
    'Content-Type': 'application/json',
    'Lambda-Runtime-Function-Error-Type': resp.errorType,
  });
}

async function initError(err, type) {
  const resp = errorResponse(err, type);
  console.error(JSON.stringify(resp));
  try {
    await postError(base + '/init/error', err, type);
  } finally {
    process.exit(129); // as the AWS runtime does after an init error
  }
}

class ImportModuleError extends Error {}
ImportModuleError.prototype.name = 'Runtime.ImportModuleError';
class HandlerNotFound extends Error {}
HandlerNotFound.prototype.name = 'Runtime.HandlerNotFound';
class MalformedHandlerName extends Error {}
MalformedHandlerName.prototype.name = 'Runtime.MalformedHandlerName';
class UserCodeSyntaxError extends Error {}
UserCodeSyntaxError.prototype.name = 'Runtime.UserCodeSyntaxError';

const fs = require('fs');

// loadModule finds module as Lambda does: .js, .mjs or .cjs in the task
// root; .mjs (and .js under "type": "module") is imported as an ES module.
async function loadModule(root, moduleName) {
  const stem = path.resolve(root, moduleName);
  for (const ext of ['.js', '.mjs', '.cjs']) {
    const file = stem + ext;
    if (!fs.existsSync(file)) continue;
    if (ext === '.mjs') return import(pathToFileURL(file).href);
    try {
      return require(file);
    } catch (e) {
      if (e && e.code === 'ERR_REQUIRE_ESM') return import(pathToFileURL(file).href);
      if (e && e.code === 'MODULE_NOT_FOUND') {
        throw Object.assign(new ImportModuleError(`${e.name}: ${e.message}`), { stack: e.stack });
      }
      throw e;
    }
  }
  const err = new ImportModuleError(`Error: Cannot find module '${moduleName}'`);
  throw err;
}

async function loadHandler() {
  const root = process.env.LAMBDA_TASK_ROOT;
  const full = process.env._HANDLER || '';
  const dir = path.dirname(full);
  const baseName = path.basename(full);
  const dot = baseName.indexOf('.');
  if (dot <= 0 || dot === baseName.length - 1) {
    throw new MalformedHandlerName(`Bad handler ${full}`);
  }
  const moduleName = path.join(dir, baseName.slice(0, dot));
  const names = baseName.slice(dot + 1).split('.');
  let mod;
  try {
    mod = await loadModule(root, moduleName);
  } catch (e) {
    if (e instanceof SyntaxError) throw Object.assign(new UserCodeSyntaxError(String(e)), { stack: e.stack });
    throw e;
  }
  // Looked up in the module as it loads, as AWS's runtime does: an ES
  // module's "export default { handler }" is not "handler" there either
  // (Runtime.HandlerNotFound on Lambda), so it is not looked for in
  // "default" here.
  let fn = mod;
  for (const n of names) fn = fn == null ? undefined : fn[n];
  if (fn === undefined) throw new HandlerNotFound(`${full} is undefined or not exported`);
  if (typeof fn !== 'function') throw new HandlerNotFound(`${full} is not a function`);
  return fn;
}

function makeContext(headers, finish) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
    // done, succeed and fail answer at once, whatever the event loop holds.
    done: (err, result) => finish(err, result, false),
    succeed: (result) => finish(null, result, false),
    fail: (err) => finish(err === undefined || err === null ? 'handled' : err, null, false),
  };
  return context;
}

class NodeJsExit extends Error {}
NodeJsExit.prototype.name = 'Runtime.NodeJsExit';

// onEmptyLoop is what the invocation under way does once Node's event loop
// has nothing left to run ('beforeExit'): the moment AWS's runtime answers
// a callback handler that waits for an empty event loop, or gives up on a
// handler that never answered.
let onEmptyLoop = null;
process.on('beforeExit', () => {
  const f = onEmptyLoop;
  onEmptyLoop = null;
  if (f) f();
});

// invoke runs the handler once and settles with the first of its answers
// (the callback, context.done/succeed/fail, the returned promise), as AWS's
// runtime does: later ones are ignored.
function invoke(handler, event, headers) {
  // Lambda tells an async function from one that may call back by its
  // type, not by what it returns.
  const isAsync = handler.constructor && handler.constructor.name === 'AsyncFunction';
  return new Promise((resolve) => {
    let answered = false;
    let settled = false;
    const settle = (err, result) => {
      if (settled) return;
      settled = true;
      onEmptyLoop = null;
      resolve({ err, result });
    };
    // Should the event loop empty with no answer: an async handler whose
    // promise never settled fails with Runtime.NodeJsExit; any other
    // handler answers null, as if it had called back with nothing.
    onEmptyLoop = isAsync
      ? () => settle(new NodeJsExit('The event loop emptied while the handler\'s promise was still pending: the promise never settles, so Lambda\'s runtime ends the invocation (most often an unawaited or never-resolved Promise)'))
      : () => settle(null, null);
    let context;
    const finish = (err, result, fromCallback) => {
      if (answered) return;
      answered = true;
      if (err !== undefined && err !== null) {
        settle(err);
      } else if (fromCallback && context.callbackWaitsForEmptyEventLoop) {
        // The answer goes once the timers, sockets and other work the
        // handler started are done, as AWS's runtime sends it.
        onEmptyLoop = () => setImmediate(() => settle(null, result));
      } else {
        // callbackWaitsForEmptyEventLoop = false: answer now. Lambda then
        // freezes the environment, and the pending work goes on in the
        // next invocation (here it goes on while the next event is awaited).
        settle(null, result);
      }
    };
    context = makeContext(headers, finish);
    const callback = (err, result) => finish(err, result, true);
    try {
      const out = handler(event, context, callback);
      if (out && typeof out.then === 'function') {
        out.then((result) => finish(null, result, false), (err) => finish(err === undefined || err === null ? new Error(String(err)) : err, null, false));
      }
    } catch (err) {
      finish(err, null, false);
    }
  });
}

// The AWS runtime writes console lines as "time\trequest id\tLEVEL\tmessage",
// every level to the one stream, in the order they were logged: on two
// pipes, an error line written after megabytes of log lines overtook them
// and was lost in the cut middle of the invocation's output.
let currentRequestId;
let pendingId; // the invocation not yet answered
const util = require('util');
for (const [method, level] of [['log', 'INFO'], ['info', 'INFO'], ['debug', 'DEBUG'], ['warn', 'WARN'],
  ['error', 'ERROR'], ['trace', 'TRACE']]) {
  console[method] = (...args) => {
    const msg = util.format(...args).replace(/\n/g, '\r');
    process.stdout.write(`${new Date().toISOString()}\t${currentRequestId || 'undefined'}\t${level}\t${msg}\n`);
  };
}

async function main() {
  let handler;
  try {
    handler = await loadHandler();
  } catch (e) {
    await initError(e);
    return;
  }
  // As AWS's runtime does: an exception nobody caught, or a promise
  // rejection nobody handled, fails the invocation under way (if any), and
  // the process exits.
  const fatal = (err, type, code) => {
    console.error(type || 'Uncaught Exception', JSON.stringify(errorResponse(err, type)));
    const id = pendingId;
    pendingId = undefined;
    // process.exit drops what is still queued for a pipe: flush first.
    const report = id === undefined ? flushOutput() : flushOutput().then(() => postError(`${base}/invocation/${id}/error`, err, type));
    report.finally(() => process.exit(code));
  };
  process.on('uncaughtException', (err) => fatal(err, undefined, 129));
  process.on('unhandledRejection', (reason) => {
    const err = reason instanceof Error ? reason : new Error(String(reason));
    fatal(new Error(`${err.name}: ${err.message}`), 'Runtime.UnhandledPromiseRejection', 128);
  });
  for (;;) {
    const next = await request('GET', base + '/invocation/next');
    const id = next.headers['lambda-runtime-aws-request-id'];
    currentRequestId = id;
    let event;
    try {
      event = JSON.parse(next.body);
    } catch (e) {
      await postError(`${base}/invocation/${id}/error`, e, 'Runtime.UnmarshalError');
      continue;
    }
    pendingId = id;
    const { err, result } = await invoke(handler, event, next.headers);
    if (pendingId !== id) continue; // failed by an uncaught exception
    pendingId = undefined;
    if (err !== null && err !== undefined) {
      console.error('Invoke Error', JSON.stringify(errorResponse(err)));
      await flushOutput();
      await postError(`${base}/invocation/${id}/error`, err);
      continue;
    }
    let body;
    try {
      body = JSON.stringify(result === undefined ? null : result);
    } catch (e) {
      await postError(`${base}/invocation/${id}/error`, e, 'Runtime.SerializationError');
      continue;
    }
    await flushOutput();
    await request('POST', `${base}/invocation/${id}/response`, body, { 'Content-Type': 'application/json' });
  }
}

main().catch((e) => {
  console.error('albcheck bootstrap:', e);
  process.exit(1);
});
