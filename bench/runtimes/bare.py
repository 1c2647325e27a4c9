# A bare Runtime API loop in Python: /next, the handler, /response and
# nothing else (no context object, no logging, no error handling). No
# Python runtime client can be faster; bench/runtimes.sh measures albcheck's
# bootstrap against it.
import http.client
import json
import os

from app import handler

conn = http.client.HTTPConnection(os.environ["AWS_LAMBDA_RUNTIME_API"])
base = "/2018-06-01/runtime/invocation/"
while True:
    conn.request("GET", base + "next")
    resp = conn.getresponse()
    event = json.loads(resp.read())
    request_id = resp.getheader("Lambda-Runtime-Aws-Request-Id")
    body = json.dumps(handler(event, None)).encode()
    conn.request("POST", base + request_id + "/response", body, {"Content-Type": "application/json"})
    conn.getresponse().read()
