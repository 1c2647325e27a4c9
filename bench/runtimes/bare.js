// A bare Runtime API loop in Node.js: /next, the handler, /response and
// nothing else (no context, no console lines, no error handling). No Node
// runtime client can be faster; bench/runtimes.sh measures albcheck's
// bootstrap against it.
'use strict';
const http = require('http');
const { handler } = require('./app.js');

const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const base = '/2018-06-01/runtime/invocation/';

function call(method, path, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

(async () => {
  for (;;) {
    const next = await call('GET', base + 'next');
    const result = await handler(JSON.parse(next.body), {});
    await call('POST', base + next.headers['lambda-runtime-aws-request-id'] + '/response', JSON.stringify(result));
  }
})();
