"""The receivers judge the forwarder, so they are tested first: each must accept
what the protocol allows, refuse what it does not, and inject its faults."""

import gzip
import http.client
import json
import socket
import ssl
import tempfile
import time
import unittest

import delivery
import hec_standin
import otlp_standin
import rsyslog_receiver
import syslog_frames
import tcp_fault_proxy
import tls_material

REQUIRES = ("rsyslogd", "openssl")
_PKI = None


def pki():
    global _PKI
    if _PKI is None:
        _PKI = tls_material.Pki(tempfile.mkdtemp(prefix="preloop-pki-"))
    return _PKI


def post(url, path, body, headers, context=None, timeout=5):
    host, port = url.split("//", 1)[1].rsplit(":", 1)
    conn = (http.client.HTTPSConnection(host, int(port), context=context, timeout=timeout) if context
            else http.client.HTTPConnection(host, int(port), timeout=timeout))
    try:
        conn.request("POST", path, body=body, headers=headers)
        r = conn.getresponse()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read()
    finally:
        conn.close()


def syslog_send(port, messages, tls=False, client_cert=False, server_name="localhost"):
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    if tls:
        ctx = ssl.create_default_context(cafile=pki().ca_cert)
        if client_cert:
            ctx.load_cert_chain(pki().client_cert, pki().client_key)
        sock = ctx.wrap_socket(sock, server_hostname=server_name)
    with sock:
        for m in messages:
            sock.sendall(syslog_frames.frame(m))
        if tls:
            try:
                sock.unwrap()     # rsyslog reads all, then closes without a close_notify
            except ssl.SSLEOFError:
                pass
        else:
            sock.shutdown(socket.SHUT_WR)
            sock.recv(1)          # rsyslog closes once it has read everything


def otlp_doc(records):
    return {"resourceLogs": [{"resource": {"attributes": [{"key": "host.id", "value": {"stringValue": "h1"}}]},
                              "scopeLogs": [{"scope": {"name": "preloop-hook"}, "logRecords": records}]}]}


GOOD_RECORD = {"timeUnixNano": "1733470000000000000", "observedTimeUnixNano": "1733470000000000001",
               "severityNumber": 9, "severityText": "INFO", "body": {"stringValue": "ok"},
               "attributes": [{"key": "n", "value": {"intValue": "42"}},
                              {"key": "d", "value": {"doubleValue": 0.5}},
                              {"key": "l", "value": {"arrayValue": {"values": [{"boolValue": True}]}}},
                              {"key": "m", "value": {"kvlistValue": {"values": [
                                  {"key": "k", "value": {"stringValue": "v"}}]}}}],
               "traceId": "0123456789abcdef0123456789abcdef", "spanId": "0123456789abcdef"}


class SyslogParserTest(unittest.TestCase):
    def test_accepts_rfc5424_with_escaped_structured_data(self):
        m = syslog_frames.parse_message(
            b'<110>1 2026-12-06T07:00:00.123456+01:00 host-1 preloop-hook 42 audit '
            b'[rec@32473 id="a\\"b\\]c\\\\d" n="1"][x@1] \xef\xbb\xbf{"a":"\xc3\xbc\\n"}')
        self.assertEqual((m.facility, m.severity, m.hostname, m.app_name, m.procid, m.msgid),
                         (13, 6, "host-1", "preloop-hook", "42", "audit"))
        self.assertEqual(m.param("rec@32473", "id"), 'a"b]c\\d')
        self.assertEqual(m.sd["x@1"], [])
        self.assertEqual(m.msg, '{"a":"\u00fc\\n"}')

    def test_refuses_what_rfc5424_does_not_allow(self):
        bad = {b"<14>1 - - - - - -x": "no space",
               b"<14>2 - - - - - -": "VERSION",
               b"<192>1 - - - - - -": "PRI",
               b'<14>1 - - - - - [a b="x]"]': "unescaped",
               b"<14>1 2026-1-1T00:00:00Z - - - - -": "TIMESTAMP",
               b"<14>1 - - - - thirty-three-characters-long-msgid -": "MSGID",
               b'<14>1 - - - - - [a b="x"][a c="y"]': "twice",
               b"<14>1 - - - - - - \xff\xfe": "UTF-8",
               b"Dec  6 07:00:00 host app: bsd style": "header"}
        for message, what in bad.items():
            with self.assertRaises(syslog_frames.SyslogError, msg=message) as cm:
                syslog_frames.parse_message(message)
            self.assertIn(what, str(cm.exception))

class RsyslogTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="preloop-rsyslog-")
        cls.rs = rsyslog_receiver.Rsyslog(cls.dir, pki=pki(), client_auth=True)

    @classmethod
    def tearDownClass(cls):
        cls.rs.close()

    def _wait_new(self, before, count):
        got = self.rs.wait_for(before + count)
        self.assertEqual(len(got), before + count, self.rs.log_tail())
        return got[before:]

    def test_tcp_tls_and_client_certificates(self):
        before = len(self.rs.messages())
        body = '[rec@32473 id="h:1"] {"cmd":"echo a\\nb","note":"line\nbreak \u00fc"}'
        syslog_send(self.rs.ports["tcp"], [f"<14>1 2026-12-06T07:00:00Z h app 1 audit {body}".encode()] * 2)
        syslog_send(self.rs.ports["tls"], [b"<14>1 - h app - audit - over tls"], tls=True)
        syslog_send(self.rs.ports["mtls"], [b"<14>1 - h app - audit - with a client cert"], tls=True,
                    client_cert=True)
        got = self._wait_new(before, 4)
        self.assertEqual([m.input for m in got], ["tcp", "tcp", "tls", "mtls"])
        self.assertTrue(all(m.error is None for m in got), [m.error for m in got])
        self.assertEqual(got[0].message.msg, '{"cmd":"echo a\\nb","note":"line\nbreak \u00fc"}')
        self.assertEqual(got[0].message.param("rec@32473", "id"), "h:1")

    def test_client_certificate_is_required_on_mtls(self):
        before = len(self.rs.messages())
        try:
            syslog_send(self.rs.ports["mtls"], [b"<14>1 - h app - audit - no client cert"], tls=True)
        except (ssl.SSLError, OSError):
            pass
        syslog_send(self.rs.ports["tcp"], [b"<14>1 - h app - audit - marker"])
        got = self._wait_new(before, 1)
        self.assertEqual(got[0].message.msg, "marker")
        time.sleep(0.2)
        self.assertEqual(len(self.rs.messages()), before + 1)

    def test_restart_keeps_ports_and_broken_certificates_fail(self):
        ports = dict(self.rs.ports)
        for variant, error in (("expired", "expired"), ("wrong_host", "mismatch"), ("wrong_ca", "issuer")):
            self.rs.restart(server_cert=variant)
            self.assertEqual(self.rs.ports, ports)
            with self.assertRaises(ssl.SSLCertVerificationError) as cm:
                syslog_send(self.rs.ports["tls"], [b"<14>1 - h app - audit - refused"], tls=True)
            self.assertIn(error, str(cm.exception))
        self.rs.restart(server_cert="good")
        before = len(self.rs.messages())
        syslog_send(self.rs.ports["tls"], [b"<14>1 - h app - audit - good again"], tls=True)
        self.assertEqual(self._wait_new(before, 1)[0].message.msg, "good again")


class ProxyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rs = rsyslog_receiver.Rsyslog(tempfile.mkdtemp(prefix="preloop-rsyslog-"))

    @classmethod
    def tearDownClass(cls):
        cls.rs.close()

    def test_faults(self):
        proxy = tcp_fault_proxy.FaultProxy(self.rs.ports["tcp"])
        self.addCleanup(proxy.close)
        messages = [b"<14>1 - h app - audit - m%d %s" % (i, b"x" * 100) for i in range(5)]
        syslog_send(proxy.port, messages[:2])
        proxy.reset_after, proxy.mode = 250, "reset"
        with self.assertRaises(OSError):
            syslog_send(proxy.port, messages[2:])
        self.assertEqual(proxy.cut, 1)
        proxy.mode = "refuse"
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", proxy.port), timeout=2)
        proxy.mode = "stall"
        sock = socket.create_connection(("127.0.0.1", proxy.port), timeout=5)
        sock.sendall(syslog_frames.frame(b"<14>1 - h app - audit - held"))
        time.sleep(0.3)
        # 2 before the reset and the first whole frame before the cut (the cut one is dropped)
        self.assertEqual([m.message.msg[:2] for m in self.rs.wait_for(3)], ["m0", "m1", "m2"])
        proxy.mode = "pass"
        sock.shutdown(socket.SHUT_WR)
        sock.recv(1)
        sock.close()
        self.assertEqual(self.rs.wait_for(4)[-1].message.msg, "held")
        self.assertEqual(proxy.connections, 3)      # refused connections are never accepted


class OtlpStandinTest(unittest.TestCase):
    def setUp(self):
        self.o = otlp_standin.OtlpStandin(headers={"x-api-key": "k1"})
        self.addCleanup(self.o.close)
        self.h = {"content-type": "application/json", "x-api-key": "k1"}

    def test_accepts_valid_json_and_gzip(self):
        body = json.dumps(otlp_doc([GOOD_RECORD, GOOD_RECORD]))
        self.assertEqual(post(self.o.url, "/v1/logs", body, self.h)[0], 200)
        self.assertEqual(post(self.o.url, "/v1/logs", gzip.compress(body.encode()),
                              dict(self.h, **{"content-encoding": "gzip"}))[0], 200)
        records = self.o.kept_records()
        self.assertEqual(len(records), 4)
        self.assertEqual(records[0].attributes, {"n": 42, "d": 0.5, "l": [True], "m": {"k": "v"}})
        self.assertEqual(records[0].resource, {"host.id": "h1"})
        self.assertEqual(self.o.invalid_requests(), [])

    def test_refuses_malformed_requests(self):
        def variant(**change):
            r = dict(GOOD_RECORD)
            for k, v in change.items():
                if v is None:
                    r.pop(k, None)
                else:
                    r[k] = v
            return json.dumps(otlp_doc([r]))
        cases = [
            (variant(timeUnixNano=1733470000000000000), self.h, "decimal string"),
            (variant(timeUnixNano=None), self.h, "no timeUnixNano"),
            (variant(time_unix_nano="1"), self.h, "unknown field 'time_unix_nano'"),
            (variant(attributes=[{"key": "a", "value": {"stringValue": "x", "intValue": "1"}}]), self.h,
             "more than one"),
            (variant(attributes=[{"key": "a", "value": {"intValue": "1.5"}}]), self.h, "64-bit integer"),
            (variant(attributes=[{"key": "a", "value": {"stringValue": 3}}]), self.h, "not a string"),
            (variant(attributes=[{"key": "a", "value": {"stringValue": "1"}},
                                 {"key": "a", "value": {"stringValue": "2"}}]), self.h, "repeats key"),
            (variant(traceId="0123"), self.h, "hex"),
            (variant(severityNumber=99), self.h, "0..24"),
            (json.dumps({"resourceLogs": []}), self.h, "empty"),
            (json.dumps(otlp_doc([GOOD_RECORD])), {"content-type": "application/x-protobuf", "x-api-key": "k1"},
             "application/json"),
            (json.dumps(otlp_doc([GOOD_RECORD])), {"content-type": "application/json"}, "x-api-key"),
            (b"not gzip", dict(self.h, **{"content-encoding": "gzip"}), "inflate"),
        ]
        for body, headers, what in cases:
            status = post(self.o.url, "/v1/logs", body, headers)[0]
            self.assertGreaterEqual(status, 400, what)
            self.assertIn(what, " | ".join(self.o.invalid_requests()[-1].errors))
        self.assertEqual(self.o.kept_records(), [])

    def test_faults(self):
        body = json.dumps(otlp_doc([GOOD_RECORD]))
        self.o.fail("throttle:3")
        status, headers, _ = post(self.o.url, "/v1/logs", body, self.h)
        self.assertEqual((status, headers.get("retry-after")), (429, "3"))
        self.o.fail("status:503")
        self.assertEqual(post(self.o.url, "/v1/logs", body, self.h)[0], 503)
        self.o.fail("reset")
        with self.assertRaises(ConnectionError):
            post(self.o.url, "/v1/logs", body, self.h)
        self.assertEqual(self.o.kept_records(), [])
        self.o.fail("slow")
        with self.assertRaises(socket.timeout):
            post(self.o.url, "/v1/logs", body, self.h, timeout=0.5)
        self.assertEqual(len(self.o.kept_records()), 1)      # kept, though the client gave up
        self.o.mode = "down"
        with self.assertRaises(ConnectionRefusedError):
            post(self.o.url, "/v1/logs", body, self.h)
        self.o.heal()
        self.assertEqual(post(self.o.url, "/v1/logs", body, self.h)[0], 200)
        self.assertEqual(len(self.o.kept_records()), 2)


class HecStandinTest(unittest.TestCase):
    def setUp(self):
        self.s = hec_standin.HecStandin("tok-1", pki=pki())
        self.addCleanup(self.s.close)
        self.ctx = ssl.create_default_context(cafile=pki().ca_cert)

    def send(self, body, token="tok-1", ctx=None):
        headers = {"authorization": f"Splunk {token}"} if token else {}
        return post(self.s.url, "/services/collector/event", body, headers, ctx or self.ctx)

    def test_events_tokens_and_gzip(self):
        ev = {"time": 1733470000.25, "host": "h1", "source": "preloop-hook", "sourcetype": "preloop:audit",
              "event": {"decision": "deny"}, "fields": {"host_id": "h1"}}
        self.assertEqual(self.send(json.dumps(ev) + "\n" + json.dumps(ev))[0], 200)
        self.assertEqual(post(self.s.url, "/services/collector/event", gzip.compress(json.dumps(ev).encode()),
                              {"authorization": "Splunk tok-1", "content-encoding": "gzip"}, self.ctx)[0], 200)
        self.assertEqual(len(self.s.kept_records()), 3)
        self.assertEqual(self.send(json.dumps(ev), token=None)[0], 401)
        self.assertEqual(self.send(json.dumps(ev), token="other")[0], 403)
        for body, what in ((json.dumps([ev]), "not an object"), ('{"event": ""}', "blank"),
                           ('{"event": 1, "time": "yesterday"}', "epoch"), ('{"event": 1, "fields": {"a": {}}}',
                                                                            "nested"),
                           ('{"event": 1, "extra": 1}', "unknown keys")):
            status, _, reply = self.send(body)
            self.assertEqual(status, 400, body)
            self.assertEqual(json.loads(reply)["code"], 6)
            self.assertIn(what, self.s.invalid_requests()[-1].errors[0])
        self.assertEqual(len(self.s.kept_records()), 3)

    def test_broken_certificates_fail_verification(self):
        for variant, error in (("expired", "expired"), ("wrong_host", "mismatch"), ("wrong_ca", "issuer")):
            self.s.restart(server_cert=variant)
            with self.assertRaises(ssl.SSLCertVerificationError) as cm:
                self.send('{"event": 1}')
            self.assertIn(error, str(cm.exception))
        self.s.restart(server_cert="good")
        self.assertEqual(self.send('{"event": 1}')[0], 200)


class DeliveryCheckTest(unittest.TestCase):
    """The judge of every forwarding test finds each way a delivery can go wrong."""

    H = "0123456789abcdef0123456789abcdef"
    ROWS = [(1, "a" * 64, "t1", "PreToolUse"), (2, "b" * 64, "t1", "PostToolUse"), (3, "c" * 64, "", "Stop")]

    def d(self, seq, head=3, **attrs):
        row = self.ROWS[seq - 1]
        a = {"tool_use_id": row[2]} if row[2] else {}
        a.update(attrs)
        return delivery.Delivered(f"{self.H}-{seq}-{row[1][:16]}", self.H, seq, row[1], head,
                                  self.ROWS[head - 1][1], a)

    def check(self, got):
        return delivery.check({self.H: self.ROWS}, got)

    def test_exactly_once_in_order(self):
        r = self.check([self.d(1, head=1), self.d(2), self.d(3)])
        self.assertTrue(r.ok, r.summary())
        self.assertEqual((r.unique, r.duplicates), (3, {}))

    def test_resends_are_duplicates_not_errors(self):
        r = self.check([self.d(1), self.d(2), self.d(1), self.d(2), self.d(3)])
        self.assertTrue(r.ok, r.summary())
        self.assertEqual(sorted(r.duplicates.values()), [2, 2])

    def test_each_fault_is_named(self):
        self.assertEqual(len(self.check([self.d(1), self.d(3)]).missing), 1)
        self.assertEqual(len(self.check([self.d(1), self.d(3), self.d(2)]).order), 1)
        bad_head = self.d(3, head=2)
        self.assertEqual(len(self.check([self.d(1), self.d(2), bad_head]).heads), 1)
        wrong_hash = self.d(2)
        wrong_hash.head_hash = "f" * 64
        self.assertEqual(len(self.check([self.d(1), wrong_hash, self.d(3)]).heads), 1)
        stranger = delivery.Delivered("ffff-1-aaaaaaaaaaaaaaaa", "ffff", 1, "a" * 64, 1, "a" * 64, {})
        self.assertEqual(self.check([stranger] + [self.d(i) for i in (1, 2, 3)]).unexpected, ["ffff-1-aaaaaaaaaaaaaaaa"])
        changed = self.check([self.d(1), self.d(2), self.d(3), self.d(2, **{"preloop.decision": "allow"})])
        self.assertEqual(len(changed.mismatched), 1)
        other_call = self.check([self.d(1), self.d(2, tool_use_id="t9"), self.d(3)])
        self.assertEqual(len(other_call.mismatched), 1)


if __name__ == "__main__":
    unittest.main()
