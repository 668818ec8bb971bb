"""A loopback HTTP(S) receiver that records what it gets and misbehaves on request.

Subclasses say what a valid request is (`check`) and what a success answers;
this class does transport: HTTP/1.1 with keep-alive, Content-Length or chunked
bodies, gzip (Content-Encoding), TLS with the test PKI (optionally demanding a
client certificate), and the faults of the test matrix.

Faults, queued with `fail(kind, times=N)` (applied to the next N requests) or
set for every request with `mode = kind` until `heal()`:
  status:CODE      answer CODE (500, 502, 503, ...) without keeping the batch
  throttle:SECS    answer 429 with `Retry-After: SECS` without keeping the batch
  slow             keep the batch, then hold the answer for `slow_seconds` (longer than the
                   client's timeout) or until heal(): the client gives up on a batch the
                   receiver did keep, so it sends it again
  reset            read half the body, then reset the connection (RST) without keeping it
  down             stop listening (connection refused) until heal() or start()
  restart          keep the batch, then go away without answering (every connection
                   dropped) and listen again on the same port `restart_pause` seconds later
  ok               no fault (to let requests through before a queued fault)
`restart()` drops the listener and every open connection and listens again on
the same port; `restart(server_cert=...)` changes the certificate presented
(good, wrong_ca, expired, wrong_host) - how TLS failures are made.
"""

import collections
import gzip
import http.server
import json
import socket
import ssl
import threading
import time

from socket_reset import reset


class Request:
    def __init__(self, method, path, headers, raw_body, body, status):
        self.method, self.path, self.headers = method, path, headers
        self.raw_body, self.body, self.status = raw_body, body, status
        self.errors = []        # what made the request invalid (empty when valid)
        self.records = []       # what a valid request delivered (subclass-specific)
        self.kept = False       # the receiver kept the records (answered 2xx, or slow)
        self.fault = None       # the fault applied to it


class HttpStandin:
    path = "/"

    def __init__(self, pki=None, server_cert="good", client_auth=False):
        self.pki = pki
        self.server_cert = server_cert
        self.client_auth = client_auth
        self.slow_seconds = 30.0
        self.restart_pause = 0.5
        self.requests = []
        self.connections = 0
        self.tls_failures = []          # handshake errors seen by the server
        self.port = 0
        self._lock = threading.Lock()
        self._healed = threading.Event()
        self._queue = collections.deque()
        self._mode = None
        self._server = None
        self._sockets = set()
        self.start()

    # ---- results ----------------------------------------------------------------

    @property
    def url(self):
        scheme = "https" if self.pki else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def kept_records(self):
        """Every record of every kept batch, in arrival order (duplicates included)."""
        with self._lock:
            return [r for q in self.requests if q.kept for r in q.records]

    def invalid_requests(self):
        with self._lock:
            return [q for q in self.requests if q.errors]

    def bytes_received(self):
        with self._lock:
            return sum(len(q.raw_body) for q in self.requests)

    # ---- faults -------------------------------------------------------------------

    def fail(self, kind, times=1):
        with self._lock:
            self._queue.extend([kind] * times)
            if kind == "slow":
                self._healed.clear()
        if kind == "down":
            self.stop()

    @property
    def mode(self):
        return self._mode

    @mode.setter
    def mode(self, kind):
        with self._lock:
            self._mode = kind
            if kind == "slow":
                self._healed.clear()
        if kind == "down":
            self.stop()

    def heal(self):
        """Ends every fault: queued ones are dropped, held answers are released, a stopped
        listener listens again."""
        with self._lock:
            self._queue.clear()
            self._mode = None
        self._healed.set()
        if self._server is None:
            self.start()

    def _next_fault(self):
        with self._lock:
            fault = self._queue.popleft() if self._queue else self._mode
        return None if fault == "ok" else fault

    def _restart_later(self):
        self.stop()
        time.sleep(self.restart_pause)
        self.start()

    # ---- lifecycle ------------------------------------------------------------------

    def start(self):
        if self._server is not None:
            return
        standin = self
        context = self._tls_context() if self.pki else None

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True
            request_queue_size = 256

            def get_request(self):
                sock, addr = self.socket.accept()
                with standin._lock:
                    standin.connections += 1
                    standin._sockets.add(sock)
                if context is not None:
                    sock = context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
                    with standin._lock:
                        standin._sockets.add(sock)
                return sock, addr

            def handle_error(self, request, client_address):
                pass

        class Handler(_Handler):
            owner = standin

        self._server = Server(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self):
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for s in sockets:
            reset(s, wake=True)

    def restart(self, server_cert=None):
        self.stop()
        if server_cert is not None:
            self.server_cert = server_cert
        self.start()

    def close(self):
        self._healed.set()
        self.stop()

    def _tls_context(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(*self.pki.server_pair(self.server_cert))
        if self.client_auth:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(self.pki.ca_cert)
        return ctx

    # ---- subclass interface -------------------------------------------------------------

    def check(self, request):
        """Fills request.errors / request.records; returns (status, JSON reply) for a valid or
        invalid request."""
        raise NotImplementedError

    def reject(self, request, status):
        """(headers, JSON reply) for a fault answer with `status`."""
        return {}, {"error": f"injected {status}"}


class _Handler(http.server.BaseHTTPRequestHandler):
    owner = None
    protocol_version = "HTTP/1.1"
    timeout = 60

    def log_message(self, *args):
        pass

    def setup(self):
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(10)
            try:
                self.request.do_handshake()
            except (ssl.SSLError, OSError) as e:
                with self.owner._lock:
                    self.owner.tls_failures.append(str(e))
                raise
        super().setup()

    def handle(self):
        try:
            super().handle()
        except (ssl.SSLError, ConnectionError, socket.timeout, OSError):
            pass

    def _read_body(self):
        if "chunked" in (self.headers.get("transfer-encoding") or "").lower():
            body = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(body)
                body += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        self._reply(405, {}, {"error": "POST only"})

    def do_POST(self):
        owner = self.owner
        fault = owner._next_fault()
        headers = {k.lower(): v for k, v in self.headers.items()}
        if fault == "reset":
            length = int(headers.get("content-length") or 0)
            self.rfile.read(max(1, length // 2))
            request = Request("POST", self.path, headers, b"", None, "reset")
            request.fault = fault
            with owner._lock:
                owner.requests.append(request)
            reset(self.connection)
            self.close_connection = True
            return
        raw = self._read_body()
        body = raw
        request = Request("POST", self.path, headers, raw, None, None)
        if "gzip" in (headers.get("content-encoding") or "").lower():
            try:
                body = gzip.decompress(raw)
            except (OSError, EOFError) as e:
                request.errors.append(f"Content-Encoding gzip but the body does not inflate: {e}")
        request.body = body
        status, reply = (400, {"error": "; ".join(request.errors)}) if request.errors else owner.check(request)
        extra = {}
        if fault and fault.startswith(("status:", "throttle:")) and not request.errors:
            kind, _, arg = fault.partition(":")
            status = 429 if kind == "throttle" else int(arg)
            extra, reply = owner.reject(request, status)
            if kind == "throttle":
                extra["Retry-After"] = arg
        request.status = status
        request.fault = fault
        request.kept = 200 <= status < 300 or (fault in ("slow", "restart") and not request.errors)
        with owner._lock:
            owner.requests.append(request)
        if fault == "restart":
            self.close_connection = True
            reset(self.connection)       # gone before answering
            threading.Thread(target=owner._restart_later, daemon=True).start()
            return
        if fault == "slow":
            owner._healed.wait(owner.slow_seconds)
        self._reply(status, extra, reply)

    def _reply(self, status, extra, payload):
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in extra.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True
