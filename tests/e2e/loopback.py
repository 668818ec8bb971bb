"""A scripted model API on 127.0.0.1: the part that the Gemini and OpenAI
chat-completions stand-ins share.

The "model" follows a script of turns (tool_use, text). The turn answered is
chosen by how many model turns the request already carries (counted by the
subclass in its wire format), so a run that makes one tool call and then reads
its result gets turn 0 and then turn 1, whatever other requests come in
between. Every model request is recorded, so tests can assert what the model
was shown; a request to any other endpoint (or through the stand-in as the
agent's proxy) is answered 404 and recorded as stray.
"""

import http.server
import itertools
import json
import threading

_ids = itertools.count(1)


def next_id():
    return next(_ids)


def tool_use(name, **arguments):
    """A script turn in which the model calls one tool with these arguments."""
    return {"tool": name, "arguments": arguments}


def text(message):
    """A script turn in which the model answers with text and stops."""
    return {"text": message}


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client that hangs up mid-request (CLIs do at exit) is no test failure


class ScriptedStandin:
    """Serves the model API on an ephemeral loopback port until close().

    A subclass implements answer(path, request) -> (status, content_type, payload),
    or None when path is not its API, and turns_taken(request) -> int; it calls
    turn(request) for the scripted turn of an agent request, or record(request)
    for a model request that is no turn (the agent's own helper calls)."""

    def __init__(self):
        self.requests = []          # every model request body, in order
        self.stray = []             # any other request: method and path
        self._script = []
        self._lock = threading.Lock()
        standin = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                try:
                    request = json.loads(body) if body else {}
                except ValueError:
                    request = None
                reply = standin.answer(self.path.split("?", 1)[0], request) if isinstance(request, dict) else None
                if reply is None:
                    self.do_GET()
                else:
                    self._reply(*reply)

            def do_GET(self):
                with standin._lock:
                    standin.stray.append(f"{self.command} {self.path}")
                self._reply(404, "application/json", b'{"error":{"code":404,"message":"no such endpoint"}}')

            # As the agent's HTTP(S) proxy, the stand-in also sees (and refuses) any
            # attempt to reach past loopback.
            do_CONNECT = do_PUT = do_DELETE = do_GET

            def _reply(self, status, content_type, payload):
                self.send_response(status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def script(self, turns):
        """Replace the script and forget earlier requests."""
        with self._lock:
            self._script = list(turns)
            self.requests = []
            self.stray = []

    def record(self, request):
        with self._lock:
            self.requests.append(request)

    def turn(self, request):
        """Records an agent request and returns the scripted turn that answers it."""
        with self._lock:
            self.requests.append(request)
            index = self.turns_taken(request)
            return self._script[index] if index < len(self._script) else text("done")

    def last_turn_request(self):
        """The last request that was an agent turn (it carries the whole conversation)."""
        with self._lock:
            turns = [r for r in self.requests if self.is_turn(r)]
        return turns[-1] if turns else {}

    def close(self):
        self._server.shutdown()
        self._server.server_close()

    # Wire format, per subclass
    def answer(self, path, request):
        raise NotImplementedError

    def turns_taken(self, request):
        raise NotImplementedError

    def is_turn(self, request):
        raise NotImplementedError
