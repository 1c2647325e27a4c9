"""The orders function of ../orders, in Python: it answers in the target
group's mode and passes every fixture in ../../fixtures:

    albcheck replay --runtime python --handler app.handler --code-dir examples/orders-python fixtures/
"""
import base64
import binascii
import hashlib
import html
import json
from http import HTTPStatus
from urllib.parse import parse_qs, unquote_plus

# A 1×1 PNG, served base64-encoded.
LOGO = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="


def _last(single, multi, name):
    if single and name in single:
        return single[name]
    values = (multi or {}).get(name) or []
    return values[-1] if values else ""


def _body(req):
    body = req.get("body") or ""
    if req.get("isBase64Encoded"):
        return base64.b64decode(body, validate=True)
    return body.encode()


def _json(value):
    return json.dumps(value, separators=(",", ":"))


class Reply:
    def __init__(self, req):
        self.multi = req.get("multiValueHeaders") is not None
        self.head = req.get("httpMethod") == "HEAD"
        self.status = 0
        self.headers = {}
        self.body = ""
        self.base64 = False

    def set(self, name, value):
        self.headers[name] = [value]

    def add(self, name, value):
        self.headers.setdefault(name, []).append(value)

    def text(self, status, content_type, body):
        self.status, self.body = status, body
        self.set("Content-Type", content_type)

    def json(self, status, value):
        self.text(status, "application/json", _json(value))

    def response(self):
        """The header field of the target group's mode only."""
        resp = {
            "statusCode": self.status,
            "statusDescription": "%d %s" % (self.status, HTTPStatus(self.status).phrase),
            "body": self.body,
            "isBase64Encoded": self.base64,
        }
        if self.head or self.status == 204:
            resp["body"], resp["isBase64Encoded"] = "", False
        if self.multi:
            resp["multiValueHeaders"] = self.headers
        else:
            resp["headers"] = {k: v[-1] for k, v in self.headers.items()}
        return resp


def handler(req, context):
    r = Reply(req)
    path, method = req.get("path", ""), req.get("httpMethod", "")
    if _last(req.get("headers"), req.get("multiValueHeaders"), "user-agent").startswith("ELB-HealthChecker/"):
        r.text(200, "text/plain; charset=utf-8", "ok")
    elif method == "OPTIONS" and path.startswith("/api/"):
        r.set("Access-Control-Allow-Origin", "*")
        r.set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        r.set("Access-Control-Allow-Headers", "Content-Type, Authorization")
        r.set("Access-Control-Max-Age", "600")
        r.status = 204
    elif path == "/" and method in ("GET", "HEAD"):
        r.text(200, "text/html; charset=utf-8",
               "<!doctype html>\n<html><head><title>Orders</title></head><body><h1>Orders</h1></body></html>\n")
    elif path == "/api/search" and method == "GET":
        # The ALB passes the query as the client sent it: decode it here.
        q = unquote_plus(_last(req.get("queryStringParameters"), req.get("multiValueQueryStringParameters"), "q"))
        r.json(200, {"query": q, "results": [q + " (book)", q + " (pen)"]})
    elif path == "/api/orders" and method == "POST":
        try:
            order = json.loads(_body(req))
        except (ValueError, binascii.Error):
            order = None
        item = order.get("item") if isinstance(order, dict) else None
        qty = order.get("qty") if isinstance(order, dict) else None
        if not isinstance(item, str) or not item or not isinstance(qty, int) or isinstance(qty, bool) or qty < 1:
            r.json(400, {"error": 'want {"item": string, "qty": number}'})
        else:
            r.set("Location", "/api/orders/42")
            r.json(201, {"id": 42, "item": item, "qty": qty})
    elif path == "/api/orders":
        r.set("Allow", "POST, OPTIONS")
        r.json(405, {"error": "method not allowed"})
    elif path == "/signup" and method == "POST":
        # Form posts arrive base64-encoded.
        try:
            email = parse_qs(_body(req).decode()).get("email", [""])[-1]
        except (ValueError, binascii.Error):
            email = ""
        if not email:
            r.text(400, "text/plain; charset=utf-8", "email is required")
        else:
            r.text(200, "text/html; charset=utf-8", "<p>Welcome, %s</p>\n" % html.escape(email, quote=True).replace("&#x27;", "'"))
    elif path == "/login" and method == "POST":
        r.add("Set-Cookie", "session=s3cr3t; Path=/; Secure; HttpOnly")
        if r.multi:
            r.add("Set-Cookie", "theme=dark; Path=/")
        r.json(200, {"ok": True})
    elif path == "/upload" and method == "PUT":
        try:
            body = _body(req)
        except (ValueError, binascii.Error):
            r.text(400, "text/plain; charset=utf-8", "bad body")
        else:
            r.json(200, {"bytes": len(body), "sha256": hashlib.sha256(body).hexdigest()})
    elif path == "/logo.png" and method == "GET":
        r.set("Content-Type", "image/png")
        r.set("Cache-Control", "public, max-age=86400")
        r.status, r.body, r.base64 = 200, LOGO, True
    elif path == "/old-orders":
        r.set("Location", "/api/orders")
        r.text(301, "text/plain; charset=utf-8", "moved")
    else:
        r.json(404, {"error": "not found", "path": path})
    return r.response()
