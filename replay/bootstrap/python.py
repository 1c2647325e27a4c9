# albcheck's Python bootstrap: a Lambda runtime client that speaks the
# Runtime API (2018-06-01) as AWS's awslambdaric does. Embedded in albcheck
# and run with the python3 found on PATH.
import decimal
import http.client
import importlib
import json
import logging
import math
import os
import sys
import time
import traceback

API = os.environ["AWS_LAMBDA_RUNTIME_API"]
BASE = "/2018-06-01/runtime"
_conn = http.client.HTTPConnection(API)


def _request(method, path, body=None, headers=None):
    _conn.request(method, path, body=body, headers=headers or {})
    resp = _conn.getresponse()
    return resp, resp.read()


class FaultException(Exception):
    def __init__(self, exception_type, msg, trace=None):
        self.exception_type = exception_type
        self.msg = msg
        self.trace = trace or []


def _make_error(message, error_type, stack_trace):
    return {"errorMessage": message, "errorType": error_type, "requestId": "", "stackTrace": stack_trace}


def _fault_result(exc_info):
    etype, value, tb = exc_info
    trace = traceback.format_list(traceback.extract_tb(tb))
    return _make_error(str(value), etype.__name__, trace)


def _post_error(path, result):
    body = json.dumps(result).encode()
    _request("POST", path, body, {
        "Content-Type": "application/json",
        "Lambda-Runtime-Function-Error-Type": "Unhandled",
    })


def _get_handler(handler):
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultException("Runtime.MalformedHandlerName", "Bad handler '{}': {}".format(handler, e))
    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise FaultException("Runtime.BuiltInModuleConflict",
                                 "Cannot use built-in module {} as a handler module".format(modname))
        m = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise FaultException("Runtime.ImportModuleError", "Unable to import module '{}': {}".format(modname, e))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise FaultException("Runtime.UserCodeSyntaxError", "Syntax error in module '{}': {}".format(modname, e), trace)
    try:
        return getattr(m, fname)
    except AttributeError:
        fault = FaultException("Runtime.HandlerNotFound", "Handler '{}' missing on module '{}'".format(fname, modname))

        def fault_handler(event, context):
            raise fault
        return fault_handler


class _DecimalNumber(float):
    """A Decimal (DynamoDB's numbers) written with its own digits: json's C
    encoder writes a float subclass with repr()."""

    def __new__(cls, value):
        number = super().__new__(cls, value)
        number.text = str(value)
        return number

    def __repr__(self):
        return self.text


class _Encoder(json.JSONEncoder):
    """json as AWS's runtime client sets it up: NaN and Infinity written
    (which no JSON reader takes: the ALB's 502), Decimals as numbers, and
    from Python 3.12 on, text other than ASCII as it is."""

    def __init__(self):
        ascii_only = os.environ.get("AWS_EXECUTION_ENV", "") in ("AWS_Lambda_python3.8", "AWS_Lambda_python3.9", "AWS_Lambda_python3.10",
                                                                "AWS_Lambda_python3.11")
        super().__init__(allow_nan=True, ensure_ascii=ascii_only)

    def default(self, o):
        if isinstance(o, decimal.Decimal):
            return math.nan if o.is_nan() else _DecimalNumber(o)
        return super().default(o)


_encoder = _Encoder()  # one for the process, as AWS's client keeps one


def _marshal(answer):
    """The answer's bytes: bytes go as they are, as AWS's client sends them;
    anything else as JSON."""
    if isinstance(answer, bytes):
        return answer
    return _encoder.encode(answer).encode()


def _log_error(result):
    """The error as AWS's runtime logs it: the type, the message and the
    traceback, one line each."""
    lines = ["[ERROR] %s: %s" % (result["errorType"], result["errorMessage"])]
    if result.get("stackTrace"):
        lines.append("Traceback (most recent call last):")
        for frame in result["stackTrace"]:
            lines.extend(frame.splitlines())
    print("\n".join(lines), file=sys.stderr)


class LambdaContext:
    def __init__(self, request_id, deadline_ms, invoked_function_arn):
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_function_arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)


_request_id = None


class _LambdaLoggerHandler(logging.Handler):
    """The handler AWS's Python runtime puts on the root logger: each record
    on one line, with the request id of the invocation under way."""

    def emit(self, record):
        msg = self.format(record).replace("\n", "\r")
        sys.stdout.write(msg + "\n")


class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _request_id
        return True


def _setup_logging():
    handler = _LambdaLoggerHandler()
    fmt = logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
                            "%Y-%m-%dT%H:%M:%S")
    fmt.converter = time.gmtime
    handler.setFormatter(fmt)
    handler.addFilter(_RequestIdFilter())
    logging.getLogger().addHandler(handler)


def main():
    global _request_id
    _setup_logging()
    task_root = os.environ["LAMBDA_TASK_ROOT"]
    # The code dir comes first on sys.path, in place of the bootstrap's own.
    sys.path[0:1] = [task_root]
    try:
        handler = _get_handler(os.environ["_HANDLER"])
    except FaultException as e:
        result = _make_error(e.msg, e.exception_type, e.trace)
    except Exception:
        result = _fault_result(sys.exc_info())
    else:
        result = None
    if result is not None:
        print(json.dumps(result), file=sys.stderr)
        _post_error(BASE + "/init/error", result)
        sys.exit(1)

    while True:
        resp, body = _request("GET", BASE + "/invocation/next")
        request_id = resp.getheader("Lambda-Runtime-Aws-Request-Id")
        _request_id = request_id
        deadline = int(resp.getheader("Lambda-Runtime-Deadline-Ms") or 0)
        arn = resp.getheader("Lambda-Runtime-Invoked-Function-Arn")
        try:
            event = json.loads(body)
        except Exception:
            result = _fault_result(sys.exc_info())
            result["errorType"] = "Runtime.UnmarshalError"
            _post_error(BASE + "/invocation/%s/error" % request_id, result)
            continue
        context = LambdaContext(request_id, deadline, arn)
        try:
            answer = handler(event, context)
        except FaultException as e:
            result = _make_error(e.msg, e.exception_type, e.trace)
            result["requestId"] = request_id
            _post_error(BASE + "/invocation/%s/error" % request_id, result)
            continue
        except Exception:
            result = _fault_result(sys.exc_info())
            result["requestId"] = request_id
            _log_error(result)
            _post_error(BASE + "/invocation/%s/error" % request_id, result)
            continue
        try:
            payload = _marshal(answer)
        except Exception as e:
            result = _make_error("Unable to marshal response: %s" % e, "Runtime.MarshalError", [])
            result["requestId"] = request_id
            _post_error(BASE + "/invocation/%s/error" % request_id, result)
            continue
        _request("POST", BASE + "/invocation/%s/response" % request_id, payload,
                 {"Content-Type": "application/json"})


if __name__ == "__main__":
    main()
