# The trivial handler bench/runtimes.sh runs in every way: the same small
# answer to any event, so that what is measured is the way it is run.
import json


def handler(event, context):
    return {
        "statusCode": 200,
        "statusDescription": "200 OK",
        "isBase64Encoded": False,
        "headers": {"content-type": "application/json"},
        "body": json.dumps({"path": event["path"]}),
    }
