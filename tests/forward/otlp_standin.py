"""An OTLP/HTTP logs receiver stand-in (JSON encoding) that validates what it gets.

POST /v1/logs with `Content-Type: application/json` (gzip allowed). The body
must be an ExportLogsServiceRequest in OTLP's JSON mapping: resourceLogs ->
scopeLogs -> logRecords, lowerCamelCase field names, 64-bit integers such as
timeUnixNano as decimal strings, AnyValue with exactly one typed member, trace
and span ids as hex. Anything else is answered 400 and listed in
`invalid_requests()`. Unknown fields count as errors too: a receiver would
silently drop them, so a misspelt field would be lost data.

`kept_records()` lists LogRecord objects: the resource and scope attributes,
the record's fields and its attributes decoded to Python values.
"""

import base64
import json
import re

from http_standin import HttpStandin

_RESOURCE_LOGS = {"resource", "scopeLogs", "schemaUrl"}
_RESOURCE = {"attributes", "droppedAttributesCount"}
_SCOPE_LOGS = {"scope", "logRecords", "schemaUrl"}
_SCOPE = {"name", "version", "attributes", "droppedAttributesCount"}
_LOG_RECORD = {"timeUnixNano", "observedTimeUnixNano", "severityNumber", "severityText", "body", "attributes",
               "droppedAttributesCount", "flags", "traceId", "spanId", "eventName"}
_ANY_VALUE = {"stringValue", "boolValue", "intValue", "doubleValue", "arrayValue", "kvlistValue", "bytesValue"}
_UINT64 = re.compile(r"(0|[1-9]\d{0,19})$")
_INT64 = re.compile(r"-?(0|[1-9]\d{0,18})$")
_HEX = re.compile(r"[0-9a-f]*$")


class LogRecord:
    def __init__(self, resource, scope, fields, attributes, body):
        self.resource = resource        # {key: value}
        self.scope = scope              # {"name":..., "version":..., "attributes": {...}}
        self.fields = fields            # the LogRecord's own members as sent
        self.attributes = attributes    # {key: value}
        self.body = body                # decoded AnyValue (None when absent)

    def __repr__(self):
        return f"LogRecord({self.attributes!r})"


class OtlpStandin(HttpStandin):
    path = "/v1/logs"

    def __init__(self, pki=None, server_cert="good", client_auth=False, headers=None):
        """`headers`: {name: value} every request must carry (an API key, say)."""
        self.required_headers = {k.lower(): v for k, v in (headers or {}).items()}
        super().__init__(pki, server_cert, client_auth)

    def check(self, request):
        errors = request.errors
        if request.path.split("?", 1)[0] != self.path:
            errors.append(f"path {request.path} is not {self.path}")
            return 404, {"error": "not found"}
        for name, value in self.required_headers.items():
            if request.headers.get(name) != value:
                errors.append(f"header {name} missing or wrong")
                return 401, {"error": "unauthenticated"}
        content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
        if content_type != "application/json":
            errors.append(f"Content-Type {content_type!r} is not application/json")
            return 415, {"error": "unsupported media type"}
        try:
            document = json.loads(request.body)
        except ValueError as e:
            errors.append(f"body is not JSON: {e}")
            return 400, {"error": "bad json"}
        request.records = _export_request(document, errors)
        if errors:
            request.records = []
            return 400, {"error": "; ".join(errors[:5])}
        return 200, {"partialSuccess": {}}

    def reject(self, request, status):
        return {}, {"code": 14 if status in (429, 502, 503, 504) else 13, "message": f"injected {status}"}


def _object(value, where, allowed, errors):
    if not isinstance(value, dict):
        errors.append(f"{where} is not an object")
        return {}
    for key in value:
        if key not in allowed:
            errors.append(f"{where} has unknown field {key!r}")
    return value


def _list(value, where, errors):
    if value is None:
        return []
    if not isinstance(value, list):
        errors.append(f"{where} is not an array")
        return []
    return value


def any_value(value, where, errors):
    """Decodes an AnyValue (an empty object is the empty value, None)."""
    value = _object(value, where, _ANY_VALUE, errors)
    members = [k for k in value if k in _ANY_VALUE]
    if len(members) > 1:
        errors.append(f"{where} has more than one value member: {members}")
        return None
    if not members:
        return None
    kind = members[0]
    v = value[kind]
    if kind == "stringValue":
        if not isinstance(v, str):
            errors.append(f"{where}.stringValue is not a string")
        return v
    if kind == "boolValue":
        if not isinstance(v, bool):
            errors.append(f"{where}.boolValue is not a boolean")
        return v
    if kind == "intValue":
        if isinstance(v, bool) or not isinstance(v, (int, str)) or (isinstance(v, str) and not _INT64.match(v)):
            errors.append(f"{where}.intValue {v!r} is not a 64-bit integer")
            return None
        n = int(v)
        if not -(1 << 63) <= n < (1 << 63):
            errors.append(f"{where}.intValue {v!r} out of int64 range")
        return n
    if kind == "doubleValue":
        if isinstance(v, bool) or not (isinstance(v, (int, float)) or v in ("NaN", "Infinity", "-Infinity")):
            errors.append(f"{where}.doubleValue {v!r} is not a number")
            return None
        return float(v)
    if kind == "bytesValue":
        try:
            return base64.b64decode(v, validate=True)
        except (ValueError, TypeError):
            errors.append(f"{where}.bytesValue is not base64")
            return None
    if kind == "arrayValue":
        inner = _object(v, f"{where}.arrayValue", {"values"}, errors)
        return [any_value(x, f"{where}.arrayValue.values[{i}]", errors)
                for i, x in enumerate(_list(inner.get("values"), f"{where}.arrayValue.values", errors))]
    inner = _object(v, f"{where}.kvlistValue", {"values"}, errors)
    return attributes(inner.get("values"), f"{where}.kvlistValue.values", errors)


def attributes(value, where, errors):
    """Decodes a KeyValue list to a dict; a repeated key is an error."""
    out = {}
    for i, kv in enumerate(_list(value, where, errors)):
        kv = _object(kv, f"{where}[{i}]", {"key", "value"}, errors)
        key = kv.get("key")
        if not isinstance(key, str) or not key:
            errors.append(f"{where}[{i}] has no key")
            continue
        if key in out:
            errors.append(f"{where} repeats key {key!r}")
        out[key] = any_value(kv.get("value", {}), f"{where}[{key}]", errors)
    return out


def _uint64_string(record, name, where, errors, required=False):
    if name not in record:
        if required:
            errors.append(f"{where} has no {name}")
        return
    v = record[name]
    if not isinstance(v, str) or not _UINT64.match(v) or int(v) >= 1 << 64:
        errors.append(f"{where}.{name} {v!r} is not an unsigned 64-bit integer as a decimal string")


def _export_request(document, errors):
    records = []
    document = _object(document, "request", {"resourceLogs"}, errors)
    resource_logs = _list(document.get("resourceLogs"), "resourceLogs", errors)
    if not resource_logs:
        errors.append("resourceLogs is empty")
    for i, rl in enumerate(resource_logs):
        where = f"resourceLogs[{i}]"
        rl = _object(rl, where, _RESOURCE_LOGS, errors)
        resource = _object(rl.get("resource", {}), f"{where}.resource", _RESOURCE, errors)
        resource_attrs = attributes(resource.get("attributes"), f"{where}.resource.attributes", errors)
        for j, sl in enumerate(_list(rl.get("scopeLogs"), f"{where}.scopeLogs", errors)):
            swhere = f"{where}.scopeLogs[{j}]"
            sl = _object(sl, swhere, _SCOPE_LOGS, errors)
            scope = _object(sl.get("scope", {}), f"{swhere}.scope", _SCOPE, errors)
            scope_info = {"name": scope.get("name"), "version": scope.get("version"),
                          "attributes": attributes(scope.get("attributes"), f"{swhere}.scope.attributes", errors)}
            for k, lr in enumerate(_list(sl.get("logRecords"), f"{swhere}.logRecords", errors)):
                lwhere = f"{swhere}.logRecords[{k}]"
                lr = _object(lr, lwhere, _LOG_RECORD, errors)
                _uint64_string(lr, "timeUnixNano", lwhere, errors, required=True)
                _uint64_string(lr, "observedTimeUnixNano", lwhere, errors)
                sev = lr.get("severityNumber", 0)
                if isinstance(sev, bool) or not isinstance(sev, int) or not 0 <= sev <= 24:
                    errors.append(f"{lwhere}.severityNumber {sev!r} is not 0..24")
                if "severityText" in lr and not isinstance(lr["severityText"], str):
                    errors.append(f"{lwhere}.severityText is not a string")
                for name, size in (("traceId", 32), ("spanId", 16)):
                    v = lr.get(name)
                    if v not in (None, "") and (not isinstance(v, str) or len(v) != size or not _HEX.match(v)):
                        errors.append(f"{lwhere}.{name} {v!r} is not {size} lowercase hex digits")
                body = any_value(lr["body"], f"{lwhere}.body", errors) if "body" in lr else None
                attrs = attributes(lr.get("attributes"), f"{lwhere}.attributes", errors)
                records.append(LogRecord(resource_attrs, scope_info, lr, attrs, body))
    return records
