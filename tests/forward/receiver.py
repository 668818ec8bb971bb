#!/usr/bin/env python3
"""Loopback stand-ins for a log pipeline's receivers: OTLP/HTTP logs (JSON),
Splunk HEC and syslog over TCP (RFC 5424, octet counting).

Every request is validated; each accepted record is appended as one JSON line
to OUT: {"sink": "otlp"|"hec"|"syslog", "id": <stable id>, "seq": N, "record": {...}, "batch": {...}}.
Malformed requests are answered 400 and written to OUT.errors.

  receiver.py http PORTFILE OUT [--fail N] [--status CODE] [--token T] [--header NAME=VALUE]
  receiver.py syslog PORTFILE OUT

The listening port is written to PORTFILE once the socket is bound.
--fail N answers the first N requests with --status (default 503).
"""
import gzip
import json
import re
import socketserver
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()


def emit(out, entry):
    with LOCK, open(out, "a") as f:
        f.write(json.dumps(entry) + "\n")


def any_value(v):
    (kind, val), = v.items()
    if kind == "intValue":
        assert isinstance(val, str) and re.fullmatch(r"-?\d+", val), f"intValue must be a decimal string: {val!r}"
        return int(val)
    assert kind in ("stringValue", "boolValue", "doubleValue"), f"unexpected AnyValue {kind}"
    return val


def attributes(items):
    out = {}
    for kv in items:
        assert set(kv) == {"key", "value"}, f"attribute fields: {sorted(kv)}"
        assert kv["key"] not in out, f"duplicate attribute {kv['key']}"
        out[kv["key"]] = any_value(kv["value"])
    return out


def check_otlp(body):
    """ExportLogsServiceRequest in OTLP/JSON: resourceLogs/scopeLogs/logRecords."""
    entries = []
    for rl in body["resourceLogs"]:
        res = attributes(rl["resource"]["attributes"])
        for key in ("service.name", "host.name", "host.id"):
            assert key in res, f"resource attribute {key} missing"
        for sl in rl["scopeLogs"]:
            scope = sl["scope"]
            assert scope["name"] == "preloop-hook.audit"
            head = attributes(scope["attributes"])
            assert "preloop.chain.head_seq" in head and "preloop.chain.head_hash" in head
            for lr in sl["logRecords"]:
                assert re.fullmatch(r"\d+", lr["timeUnixNano"]), "timeUnixNano must be a decimal string"
                assert isinstance(lr["severityNumber"], int) and 1 <= lr["severityNumber"] <= 24
                assert "stringValue" in lr["body"]
                attrs = attributes(lr["attributes"])
                for key in ("session.id", "gen_ai.operation.name", "preloop.record.id",
                            "preloop.chain.seq", "preloop.chain.hash"):
                    assert key in attrs, f"log record attribute {key} missing"
                entries.append({"sink": "otlp", "id": attrs["preloop.record.id"], "seq": attrs["preloop.chain.seq"],
                                "record": attrs, "resource": res, "batch": head})
    return entries


def check_hec(text):
    entries = []
    for line in text.splitlines():
        if not line.strip():
            continue
        ev = json.loads(line)
        for key in ("time", "host", "source", "sourcetype", "event", "fields"):
            assert key in ev, f"HEC event field {key} missing"
        f = ev["fields"]
        assert all(isinstance(v, str) for v in f.values()), "HEC indexed fields must be strings"
        entries.append({"sink": "hec", "id": f["preloop_record_id"], "seq": int(f["preloop_chain_seq"]),
                        "record": ev["event"], "batch": {"head_seq": int(f["preloop_head_seq"])}, "index": ev.get("index")})
    return entries


class Http(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    cfg = {}

    def log_message(self, *args):
        pass

    def answer(self, code, text):
        data = text.encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if code == 429:
            self.send_header("Retry-After", "1")
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        cfg = self.cfg
        with LOCK:
            cfg["requests"] += 1
            failing = cfg["requests"] <= cfg["fail"]
        if failing:
            return self.answer(cfg["status"], '{"error":"injected"}')
        try:
            if self.headers.get("Content-Encoding") == "gzip":
                data = gzip.decompress(data)
            if self.path == "/v1/logs":
                for name, value in cfg["headers"].items():
                    assert self.headers.get(name) == value, f"header {name} missing or wrong"
                assert self.headers.get("Content-Type") == "application/json"
                entries = check_otlp(json.loads(data))
                reply = "{}"
            elif self.path == "/services/collector/event":
                assert self.headers.get("Authorization") == "Splunk " + cfg["token"], "bad HEC token"
                entries = check_hec(data.decode())
                reply = '{"text":"Success","code":0}'
            else:
                return self.answer(404, '{"error":"no such path"}')
        except Exception as e:  # noqa: BLE001 - any validation failure is a 400
            emit(cfg["out"] + ".errors", {"path": self.path, "error": repr(e)})
            return self.answer(400, json.dumps({"error": repr(e)}))
        for e in entries:
            e["gzip"] = self.headers.get("Content-Encoding") == "gzip"
            emit(cfg["out"], e)
        self.answer(200, reply)


SYSLOG = re.compile(rb'<(\d+)>1 (\S+) (\S+) (\S+) (\S+) (\S+) \[preloop@32473 id="([^"]+)" seq="(\d+)" hash="([0-9a-f]+)" '
                    rb'head_seq="(\d+)" head_hash="([0-9a-f]+)"\] \xef\xbb\xbf(.*)', re.S)


class Syslog(socketserver.StreamRequestHandler):
    out = ""

    def handle(self):
        while True:
            length = b""
            while True:
                c = self.rfile.read(1)
                if not c:
                    return
                if c == b" ":
                    break
                assert c.isdigit(), f"octet count expected, got {c!r}"
                length += c
            msg = self.rfile.read(int(length))
            m = SYSLOG.fullmatch(msg)
            if not m:
                emit(self.out + ".errors", {"error": "not RFC 5424", "msg": msg[:200].decode("utf-8", "replace")})
                continue
            emit(self.out, {"sink": "syslog", "pri": int(m.group(1)), "host": m.group(3).decode(),
                            "msgid": m.group(6).decode(), "id": m.group(7).decode(), "seq": int(m.group(8)),
                            "batch": {"head_seq": int(m.group(10))}, "record": json.loads(m.group(12))})


def main():
    mode, portfile, out = sys.argv[1:4]
    args = sys.argv[4:]
    opt = lambda name, default: args[args.index(name) + 1] if name in args else default  # noqa: E731
    if mode == "http":
        headers = dict(a.split("=", 1) for i, a in enumerate(args) if i > 0 and args[i - 1] == "--header")
        Http.cfg = {"out": out, "fail": int(opt("--fail", "0")), "status": int(opt("--status", "503")),
                    "token": opt("--token", ""), "headers": headers, "requests": 0}
        server = ThreadingHTTPServer(("127.0.0.1", 0), Http)
    else:
        Syslog.out = out
        socketserver.ThreadingTCPServer.allow_reuse_address = True
        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Syslog)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.rename(portfile + ".tmp", portfile)
    server.serve_forever()


if __name__ == "__main__":
    main()
