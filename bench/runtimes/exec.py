# The handler as --exec runs it: a process per event, the event on stdin,
# the response on stdout.
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from app import handler  # noqa: E402

json.dump(handler(json.load(sys.stdin), None), sys.stdout)
