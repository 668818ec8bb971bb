"""A loopback stand-in for the OpenAI Responses API, as Codex CLI and Copilot
CLI (BYOK, wire API "responses") use it.

The "model" follows a script of turns (see tool_call, custom_call, text). The
turn answered is chosen by how many calls and assistant messages the request's
input already carries, so a run that makes one tool call and then reads its
output gets turn 0 and then turn 1, whatever other requests come in between.
Every request is recorded, so tests can assert what the model was shown (tool
outputs, deny reasons). Replies are server-sent events, as the API streams them.
Used as the agent's HTTP(S) proxy too, it records every other request (stray),
so a test can assert that nothing tried to leave loopback.
"""

import http.server
import itertools
import json
import threading

_ids = itertools.count(1)

_CALL_TYPES = ("function_call", "custom_tool_call", "local_shell_call")
_OUTPUT_TYPES = ("function_call_output", "custom_tool_call_output", "local_shell_call_output")


def tool_call(name, **arguments):
    """A script turn in which the model calls one function tool with JSON arguments."""
    return {"function": name, "arguments": arguments}


def custom_call(name, text):
    """A script turn in which the model calls one free-form tool (Codex's apply_patch) with raw text."""
    return {"custom": name, "input": text}


def text(message):
    """A script turn in which the model answers with text and stops."""
    return {"text": message}


def _item(turn):
    call_id = f"call_e2e_{next(_ids):04d}"
    if "function" in turn:
        return {"type": "function_call", "id": f"fc_{call_id}", "status": "completed", "call_id": call_id,
                "name": turn["function"], "arguments": json.dumps(turn["arguments"])}
    if "custom" in turn:
        return {"type": "custom_tool_call", "id": f"ctc_{call_id}", "status": "completed", "call_id": call_id,
                "name": turn["custom"], "input": turn["input"]}
    return {"type": "message", "id": f"msg_{call_id}", "status": "completed", "role": "assistant",
            "content": [{"type": "output_text", "text": turn["text"], "annotations": []}]}


def _sse(response, item):
    """The event stream of one response with one output item, as the API sends it."""
    pending = {**response, "status": "in_progress", "output": []}
    started = {**item, "status": "in_progress"}
    if item["type"] == "message":
        started["content"] = []
    events = [("response.created", {"response": pending}),
              ("response.in_progress", {"response": pending}),
              ("response.output_item.added", {"output_index": 0, "item": started})]
    if item["type"] == "message":
        part = item["content"][0]
        events += [("response.content_part.added", {"output_index": 0, "item_id": item["id"], "content_index": 0,
                                                    "part": {**part, "text": ""}}),
                   ("response.output_text.delta", {"output_index": 0, "item_id": item["id"], "content_index": 0,
                                                   "delta": part["text"]}),
                   ("response.output_text.done", {"output_index": 0, "item_id": item["id"], "content_index": 0,
                                                  "text": part["text"]}),
                   ("response.content_part.done", {"output_index": 0, "item_id": item["id"], "content_index": 0,
                                                   "part": part})]
    elif item["type"] == "function_call":
        events += [("response.function_call_arguments.delta", {"output_index": 0, "item_id": item["id"],
                                                               "delta": item["arguments"]}),
                   ("response.function_call_arguments.done", {"output_index": 0, "item_id": item["id"],
                                                              "arguments": item["arguments"]})]
    else:
        events += [("response.custom_tool_call_input.delta", {"output_index": 0, "item_id": item["id"],
                                                              "delta": item["input"]}),
                   ("response.custom_tool_call_input.done", {"output_index": 0, "item_id": item["id"],
                                                             "input": item["input"]})]
    events += [("response.output_item.done", {"output_index": 0, "item": item}),
               ("response.completed", {"response": response})]
    out = []
    for sequence, (name, data) in enumerate(events):
        out.append(f"event: {name}\ndata: {json.dumps({'type': name, 'sequence_number': sequence, **data})}\n\n")
    return "".join(out).encode()


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client that hangs up mid-request (CLIs do at exit) is no test failure


class ResponsesStandin:
    """Serve POST …/responses on 127.0.0.1 (an ephemeral port) until close()."""

    def __init__(self):
        self.requests = []          # every /responses request body, in order
        self.stray = []             # any other request, "METHOD target" (CONNECT host:443 as a proxy)
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
                path = self.path.split("?", 1)[0]
                if not path.endswith("/responses"):
                    standin._stray(self)
                    return
                try:
                    request = json.loads(body)
                except ValueError:
                    self._reply(400, "application/json",
                                b'{"error":{"message":"bad json","type":"invalid_request_error"}}')
                    return
                standin._answer(self, request)

            def do_GET(self):
                standin._stray(self)

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

    def _stray(self, handler):
        with self._lock:
            self.stray.append(f"{handler.command} {handler.path}")
        handler._reply(404, "application/json", b'{"error":{"message":"no such endpoint","type":"not_found"}}')

    def _answer(self, handler, request):
        items = request.get("input") or []
        if isinstance(items, str):
            items = []
        with self._lock:
            self.requests.append(request)
            turn_index = sum(1 for i in items if i.get("type") in _CALL_TYPES or
                             (i.get("type", "message") == "message" and i.get("role") == "assistant"))
            turn = self._script[turn_index] if turn_index < len(self._script) else text("done")
        item = _item(turn)
        response = {"id": f"resp_e2e_{next(_ids):04d}", "object": "response", "created_at": 1,
                    "status": "completed", "model": request.get("model", "gpt"), "output": [item],
                    "usage": {"input_tokens": 100, "input_tokens_details": {"cached_tokens": 0},
                              "output_tokens": 5, "output_tokens_details": {"reasoning_tokens": 0},
                              "total_tokens": 105}}
        if request.get("stream"):
            handler._reply(200, "text/event-stream", _sse(response, item))
        else:
            handler._reply(200, "application/json", json.dumps(response).encode())

    def calls(self):
        """The tool calls of the last request's input, in order (what the model asked for)."""
        return [i for i in self._last_input() if i.get("type") in _CALL_TYPES]

    def tool_outputs(self):
        """The tool outputs of the last request: what the model was shown, as text, in order."""
        outputs = []
        for i in self._last_input():
            if i.get("type") in _OUTPUT_TYPES:
                output = i.get("output")
                if isinstance(output, list):
                    output = "".join(part.get("text", "") for part in output if isinstance(part, dict))
                elif isinstance(output, dict):
                    output = output.get("content") or json.dumps(output)
                outputs.append(output if isinstance(output, str) else json.dumps(output))
        return outputs

    def _last_input(self):
        if not self.requests:
            return []
        items = self.requests[-1].get("input") or []
        return items if isinstance(items, list) else []

    def close(self):
        self._server.shutdown()
        self._server.server_close()
