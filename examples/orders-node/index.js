// The orders function of ../orders, in Node.js: it answers in the target
// group's mode and passes every fixture in ../../fixtures:
//
//   albcheck replay --runtime nodejs --handler index.handler --code-dir examples/orders-node fixtures/
'use strict';

const crypto = require('crypto');
const http = require('http');

// A 1×1 PNG, served base64-encoded.
const logo = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

const header = (req, name) => {
  if (req.headers && name in req.headers) return req.headers[name];
  const vs = req.multiValueHeaders && req.multiValueHeaders[name];
  return vs && vs.length ? vs[vs.length - 1] : '';
};

const query = (req, name) => {
  if (req.queryStringParameters && name in req.queryStringParameters) return req.queryStringParameters[name];
  const vs = req.multiValueQueryStringParameters && req.multiValueQueryStringParameters[name];
  return vs && vs.length ? vs[vs.length - 1] : '';
};

const bodyBytes = (req) => Buffer.from(req.body || '', req.isBase64Encoded ? 'base64' : 'utf8');

const htmlEscape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

class Reply {
  constructor(req) {
    this.multi = req.multiValueHeaders != null;
    this.head = req.httpMethod === 'HEAD';
    this.status = 0;
    this.headers = {};
    this.body = '';
    this.base64 = false;
  }
  set(name, value) { this.headers[name] = [value]; }
  add(name, value) { (this.headers[name] = this.headers[name] || []).push(value); }
  text(status, contentType, body) {
    this.status = status;
    this.body = body;
    this.set('Content-Type', contentType);
  }
  json(status, value) { this.text(status, 'application/json', JSON.stringify(value)); }
  // response writes the header field of the target group's mode only.
  response() {
    const resp = {
      statusCode: this.status,
      statusDescription: `${this.status} ${http.STATUS_CODES[this.status]}`,
      body: this.body,
      isBase64Encoded: this.base64,
    };
    if (this.head || this.status === 204) {
      resp.body = '';
      resp.isBase64Encoded = false;
    }
    if (this.multi) {
      resp.multiValueHeaders = this.headers;
    } else {
      resp.headers = {};
      for (const [k, v] of Object.entries(this.headers)) resp.headers[k] = v[v.length - 1];
    }
    return resp;
  }
}

exports.handler = async (req) => {
  const r = new Reply(req);
  const { path, httpMethod: method } = req;
  if (header(req, 'user-agent').startsWith('ELB-HealthChecker/')) {
    r.text(200, 'text/plain; charset=utf-8', 'ok');
  } else if (method === 'OPTIONS' && path.startsWith('/api/')) {
    r.set('Access-Control-Allow-Origin', '*');
    r.set('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    r.set('Access-Control-Allow-Headers', 'Content-Type, Authorization');
    r.set('Access-Control-Max-Age', '600');
    r.status = 204;
  } else if (path === '/' && (method === 'GET' || method === 'HEAD')) {
    r.text(200, 'text/html; charset=utf-8', '<!doctype html>\n<html><head><title>Orders</title></head><body><h1>Orders</h1></body></html>\n');
  } else if (path === '/api/search' && method === 'GET') {
    // The ALB passes the query as the client sent it: decode it here.
    let q;
    try {
      q = decodeURIComponent(query(req, 'q').replace(/\+/g, ' '));
    } catch {
      r.json(400, { error: 'bad query' });
      return r.response();
    }
    r.json(200, { query: q, results: [`${q} (book)`, `${q} (pen)`] });
  } else if (path === '/api/orders' && method === 'POST') {
    let order;
    try {
      order = JSON.parse(bodyBytes(req).toString('utf8'));
    } catch {
      order = null;
    }
    if (!order || typeof order.item !== 'string' || order.item === '' || !Number.isInteger(order.qty) || order.qty < 1) {
      r.json(400, { error: 'want {"item": string, "qty": number}' });
    } else {
      r.set('Location', '/api/orders/42');
      r.json(201, { id: 42, item: order.item, qty: order.qty });
    }
  } else if (path === '/api/orders') {
    r.set('Allow', 'POST, OPTIONS');
    r.json(405, { error: 'method not allowed' });
  } else if (path === '/signup' && method === 'POST') {
    // Form posts arrive base64-encoded.
    const email = new URLSearchParams(bodyBytes(req).toString('utf8')).get('email');
    if (!email) {
      r.text(400, 'text/plain; charset=utf-8', 'email is required');
    } else {
      r.text(200, 'text/html; charset=utf-8', `<p>Welcome, ${htmlEscape(email)}</p>\n`);
    }
  } else if (path === '/login' && method === 'POST') {
    r.add('Set-Cookie', 'session=s3cr3t; Path=/; Secure; HttpOnly');
    if (r.multi) r.add('Set-Cookie', 'theme=dark; Path=/');
    r.json(200, { ok: true });
  } else if (path === '/upload' && method === 'PUT') {
    const body = bodyBytes(req);
    r.json(200, { bytes: body.length, sha256: crypto.createHash('sha256').update(body).digest('hex') });
  } else if (path === '/logo.png' && method === 'GET') {
    r.set('Content-Type', 'image/png');
    r.set('Cache-Control', 'public, max-age=86400');
    r.status = 200;
    r.body = logo;
    r.base64 = true;
  } else if (path === '/old-orders') {
    r.set('Location', '/api/orders');
    r.text(301, 'text/plain; charset=utf-8', 'moved');
  } else {
    r.json(404, { error: 'not found', path });
  }
  return r.response();
};
