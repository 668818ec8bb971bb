"""A Splunk HTTP Event Collector stand-in that validates what it gets.

POST /services/collector/event with `Authorization: Splunk <token>` (401 when
missing, 403 when wrong, as Splunk answers), a body of one or more JSON event
objects one after the other (not an array; gzip allowed). Each event needs a
non-empty `event`; `time` is epoch seconds (number or numeric string); host,
source, sourcetype and index are strings; `fields` is a flat object. Invalid
data is answered 400 with Splunk's code 6 and the number of the bad event.

`kept_records()` lists the event objects of kept batches.
"""

import json
import re

from http_standin import HttpStandin

_EVENT_KEYS = {"time", "host", "source", "sourcetype", "index", "event", "fields"}
_TIME = re.compile(r"\d+(\.\d+)?$")


def split_events(text):
    """The JSON values of a HEC body (whitespace between them allowed)."""
    decoder = json.JSONDecoder()
    pos, out = 0, []
    while True:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if pos >= len(text):
            return out
        value, pos = decoder.raw_decode(text, pos)
        out.append(value)


class HecStandin(HttpStandin):
    path = "/services/collector/event"

    def __init__(self, token, pki=None, server_cert="good", client_auth=False):
        self.token = token
        super().__init__(pki, server_cert, client_auth)

    def check(self, request):
        errors = request.errors
        if request.path.split("?", 1)[0] not in (self.path, self.path + "/1.0"):
            errors.append(f"path {request.path} is not {self.path}")
            return 404, {"text": "The requested URL was not found on this server.", "code": 404}
        auth = request.headers.get("authorization")
        if auth is None:
            errors.append("no Authorization header")
            return 401, {"text": "Token is required", "code": 2}
        if auth != f"Splunk {self.token}":
            errors.append("wrong token")
            return 403, {"text": "Invalid token", "code": 4}
        try:
            events = split_events(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            errors.append(f"body is not a sequence of JSON objects: {e}")
            return 400, {"text": "Invalid data format", "code": 6, "invalid-event-number": 0}
        if not events:
            errors.append("no events")
            return 400, {"text": "No data", "code": 5}
        for i, event in enumerate(events):
            problem = _event_problem(event)
            if problem:
                errors.append(f"event {i}: {problem}")
                return 400, {"text": "Invalid data format", "code": 6, "invalid-event-number": i}
        request.records = events
        return 200, {"text": "Success", "code": 0}

    def reject(self, request, status):
        if status == 503:
            return {}, {"text": "Server is busy", "code": 9}
        return {}, {"text": "Internal server error", "code": 8}


def _event_problem(event):
    if not isinstance(event, dict):
        return "not an object"
    unknown = set(event) - _EVENT_KEYS
    if unknown:
        return f"unknown keys {sorted(unknown)}"
    if event.get("event") in (None, "", {}):
        return "event field is missing or blank"
    if "time" in event:
        t = event["time"]
        if isinstance(t, bool) or not (isinstance(t, (int, float)) or (isinstance(t, str) and _TIME.match(t))):
            return f"time {t!r} is not epoch seconds"
    for key in ("host", "source", "sourcetype", "index"):
        if key in event and not isinstance(event[key], str):
            return f"{key} is not a string"
    if "fields" in event:
        fields = event["fields"]
        if not isinstance(fields, dict):
            return "fields is not an object"
        for k, v in fields.items():
            if isinstance(v, dict) or (isinstance(v, list) and any(isinstance(x, (dict, list)) for x in v)):
                return f"fields.{k} is nested"
    return None
