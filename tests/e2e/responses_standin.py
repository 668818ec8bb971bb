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

import json

from loopback import ScriptedStandin, next_id, text

_CALL_TYPES = ("function_call", "custom_tool_call", "local_shell_call")
_OUTPUT_TYPES = ("function_call_output", "custom_tool_call_output", "local_shell_call_output")


def tool_call(name, **arguments):
    """A script turn in which the model calls one function tool with JSON arguments."""
    return {"function": name, "arguments": arguments}


def custom_call(name, text):
    """A script turn in which the model calls one free-form tool (Codex's apply_patch) with raw text."""
    return {"custom": name, "input": text}


def _input(request):
    items = request.get("input") or []
    return items if isinstance(items, list) else []


def _item(turn):
    call_id = f"call_e2e_{next_id():04d}"
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


class ResponsesStandin(ScriptedStandin):
    """Serves POST …/responses on 127.0.0.1 (an ephemeral port) until close()."""

    def is_turn(self, request):
        return True

    def turns_taken(self, request):
        return sum(1 for i in _input(request) if i.get("type") in _CALL_TYPES or
                   (i.get("type", "message") == "message" and i.get("role") == "assistant"))

    def answer(self, path, request):
        if not path.endswith("/responses"):
            return None
        item = _item(self.turn(request))
        response = {"id": f"resp_e2e_{next_id():04d}", "object": "response", "created_at": 1,
                    "status": "completed", "model": request.get("model", "gpt"), "output": [item],
                    "usage": {"input_tokens": 100, "input_tokens_details": {"cached_tokens": 0},
                              "output_tokens": 5, "output_tokens_details": {"reasoning_tokens": 0},
                              "total_tokens": 105}}
        if request.get("stream"):
            return 200, "text/event-stream", _sse(response, item)
        return 200, "application/json", json.dumps(response).encode()

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
        return _input(self.last_turn_request())
