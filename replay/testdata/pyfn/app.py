# Handlers for albcheck's --runtime python tests.
import json
import logging
import time

import helper  # from the code dir, which is on sys.path


logger = logging.getLogger()
logger.setLevel(logging.INFO)


class OrderNotFound(Exception):
    pass


def handler(event, context):
    print("handling", event["path"])
    logger.info("order %s", event["path"])
    return {
        "statusCode": 200,
        "statusDescription": "200 OK",
        "isBase64Encoded": False,
        "headers": {"content-type": "application/json"},
        "body": json.dumps({
            "path": event["path"],
            "requestId": context.aws_request_id,
            "functionName": context.function_name,
            "arn": context.invoked_function_arn,
            "remaining": context.get_remaining_time_in_millis(),
            "helper": helper.NAME,
        }),
    }


def throws(event, context):
    raise OrderNotFound("no order 42")


def hangs(event, context):
    while True:
        time.sleep(1)


def crashes(event, context):
    import os
    os._exit(3)


def loud(event, context):
    """Prints 3 MB in one invocation: all of it is that invocation's."""
    if event["path"] == "/loud":
        print("x" * (3 << 20))
    print("tab\there", event["path"])
    return {"statusCode": 200, "body": event["path"]}


def _answer(body):
    return {
        "statusCode": 200,
        "statusDescription": "200 OK",
        "isBase64Encoded": False,
        "headers": {"content-type": "text/plain"},
        "body": body,
    }


def decimal_answer(event, context):
    # DynamoDB gives numbers as Decimal: AWS's runtime writes them as numbers.
    import decimal
    answer = _answer("decimal answer")
    answer["statusCode"] = decimal.Decimal("200")
    return answer


def bytes_answer(event, context):
    # Bytes go out as they are.
    return json.dumps(_answer("bytes answer")).encode()


def huge(event, context):
    # An answer far over Lambda's 6 MB limit.
    return {"statusCode": 200, "body": "x" * (20 * 1024 * 1024)}
