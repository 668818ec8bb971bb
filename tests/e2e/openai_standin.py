"""A loopback stand-in for the OpenAI chat-completions API, as Qwen Code uses it
through OPENAI_BASE_URL.

Requests that offer tools are the agent's turns and follow the script (see
loopback.py); the turns taken are the "assistant" messages already in
`messages`. Other completions (the agent's own helper calls, which offer no
tools) get an empty JSON object and are recorded but take no turn. Streaming
(server-sent chunks) and plain JSON replies are both served.
"""

import json

from loopback import ScriptedStandin, next_id

_USAGE = {"prompt_tokens": 100, "completion_tokens": 5, "total_tokens": 105}


def _message(turn):
    if "tool" in turn:
        call = {"id": f"call_e2e_{next_id():04d}", "type": "function",
                "function": {"name": turn["tool"], "arguments": json.dumps(turn["arguments"])}}
        return {"role": "assistant", "content": None, "tool_calls": [call]}, "tool_calls"
    return {"role": "assistant", "content": turn["text"]}, "stop"


def _stream(message, finish_reason, base):
    """The chunks of one message: its content or tool calls, the finish reason, then usage."""
    delta = {"role": "assistant"}
    if message.get("tool_calls"):
        delta["tool_calls"] = [{"index": i, **call} for i, call in enumerate(message["tool_calls"])]
    else:
        delta["content"] = message["content"]
    chunks = [{**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]},
              {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": finish_reason}]},
              {**base, "choices": [], "usage": _USAGE}]
    return b"".join(f"data: {json.dumps(c)}\n\n".encode() for c in chunks) + b"data: [DONE]\n\n"


def _text(content):
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return content if isinstance(content, str) else json.dumps(content)


class OpenAIStandin(ScriptedStandin):

    def is_turn(self, request):
        return bool(request.get("tools"))

    def turns_taken(self, request):
        return sum(1 for m in request.get("messages", []) if m.get("role") == "assistant")

    def answer(self, path, request):
        if not path.endswith("/chat/completions"):
            return None
        if self.is_turn(request):
            message, finish_reason = _message(self.turn(request))
        else:
            self.record(request)
            message, finish_reason = {"role": "assistant", "content": "{}"}, "stop"
        base = {"id": f"chatcmpl-e2e-{next_id():04d}", "created": 1, "model": request.get("model", "qwen"),
                "object": "chat.completion.chunk"}
        if request.get("stream"):
            return 200, "text/event-stream", _stream(message, finish_reason, base)
        body = {**base, "object": "chat.completion", "usage": _USAGE,
                "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}]}
        return 200, "application/json", json.dumps(body).encode()

    def tool_outputs(self):
        """The tool messages of the last turn: what the model was shown, as text, in order."""
        return [_text(m.get("content")) for m in self.last_turn_request().get("messages", [])
                if m.get("role") == "tool"]
