// The handler as --exec runs it: a process per event, the event on stdin,
// the response on stdout.
'use strict';
const { handler } = require('./app.js');

const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', async () => {
  const result = await handler(JSON.parse(Buffer.concat(chunks).toString()), {});
  process.stdout.write(JSON.stringify(result));
});
