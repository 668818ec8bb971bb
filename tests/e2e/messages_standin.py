"""A loopback stand-in for the Anthropic Messages API, as Claude Code uses it.

The "model" follows a script: a list of assistant turns. The turn answered is
chosen by how many assistant messages the request already carries, so a run of
Claude Code that makes one tool call and then reads its result gets turn 0 and
then turn 1, whatever other requests it makes in between. Every request is
recorded so tests can assert what the model was shown (tool results, deny
reasons). Streaming (server-sent events) and plain JSON replies are both served.
"""

import http.server
import itertools
import json
import threading

_ids = itertools.count(1)


def tool_use(name, **tool_input):
    """A script turn in which the model calls one tool."""
    return {"tool": name, "input": tool_input}


def bash(command):
    """A script turn in which the model runs one Bash command."""
    return tool_use("Bash", command=command, description="e2e step")


def text(message):
    """A script turn in which the model answers with text and stops."""
    return {"text": message}


def _content_blocks(turn):
    if "tool" in turn:
        return [{"type": "tool_use", "id": f"toolu_e2e_{next(_ids):04d}",
                 "name": turn["tool"], "input": turn["input"]}], "tool_use"
    return [{"type": "text", "text": turn["text"]}], "end_turn"


def _sse(blocks, message):
    """The event stream of one message, block by block, as the API sends it."""
    events = [("message_start", {"type": "message_start",
                                 "message": {**message, "content": [], "stop_reason": None}})]
    for i, block in enumerate(blocks):
        if block["type"] == "text":
            events.append(("content_block_start", {"type": "content_block_start", "index": i,
                                                   "content_block": {"type": "text", "text": ""}}))
            events.append(("content_block_delta", {"type": "content_block_delta", "index": i,
                                                   "delta": {"type": "text_delta", "text": block["text"]}}))
        else:
            events.append(("content_block_start", {"type": "content_block_start", "index": i,
                                                   "content_block": {**block, "input": {}}}))
            events.append(("content_block_delta", {"type": "content_block_delta", "index": i,
                                                   "delta": {"type": "input_json_delta",
                                                             "partial_json": json.dumps(block["input"])}}))
        events.append(("content_block_stop", {"type": "content_block_stop", "index": i}))
    events.append(("message_delta", {"type": "message_delta",
                                     "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
                                     "usage": {"output_tokens": 5}}))
    events.append(("message_stop", {"type": "message_stop"}))
    return b"".join(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode() for name, data in events)


class MessagesStandin:
    """Serve the Messages API on 127.0.0.1 (an ephemeral port) until close()."""

    def __init__(self):
        self.requests = []          # every /v1/messages request body, in order
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
                    self._reply(400, "application/json", b'{"type":"error","error":{"type":"invalid_request_error","message":"bad json"}}')
                    return
                path = self.path.split("?", 1)[0]
                if path == "/v1/messages/count_tokens":
                    self._reply(200, "application/json", json.dumps({"input_tokens": 100}).encode())
                elif path == "/v1/messages":
                    standin._answer(self, request)
                else:
                    self._reply(404, "application/json", b'{"type":"error","error":{"type":"not_found_error","message":"no such endpoint"}}')

            def do_GET(self):
                self._reply(404, "application/json", b"{}")

            do_HEAD = do_GET

            def _reply(self, status, content_type, payload):
                self.send_response(status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def script(self, turns):
        """Replace the script and forget earlier requests."""
        with self._lock:
            self._script = list(turns)
            self.requests = []

    def _answer(self, handler, request):
        messages = request.get("messages", [])
        with self._lock:
            self.requests.append(request)
            turn_index = sum(1 for m in messages if m.get("role") == "assistant")
            turn = self._script[turn_index] if turn_index < len(self._script) else text("done")
        blocks, stop_reason = _content_blocks(turn)
        message = {"id": f"msg_e2e_{next(_ids):04d}", "type": "message", "role": "assistant",
                   "model": request.get("model", "claude"), "content": blocks,
                   "stop_reason": stop_reason, "stop_sequence": None,
                   "usage": {"input_tokens": 100, "output_tokens": 5}}
        if request.get("stream"):
            handler._reply(200, "text/event-stream", _sse(blocks, message))
        else:
            handler._reply(200, "application/json", json.dumps(message).encode())

    def tool_results(self):
        """The tool_result blocks of the last request: what the model was shown."""
        if not self.requests:
            return []
        results = []
        for message in self.requests[-1].get("messages", []):
            content = message.get("content")
            if message.get("role") != "user" or not isinstance(content, list):
                continue
            for block in content:
                if block.get("type") == "tool_result":
                    results.append(block)
        return results

    def close(self):
        self._server.shutdown()
        self._server.server_close()
