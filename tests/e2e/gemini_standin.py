"""A loopback stand-in for the Gemini API (models/*:generateContent and
:streamGenerateContent), as Gemini CLI uses it through GOOGLE_GEMINI_BASE_URL.

Requests that offer tools are the agent's turns and follow the script (see
loopback.py); the turns taken are the "model" entries already in `contents`.
Gemini CLI's own helper calls (routing, which offer no tools and ask for JSON)
get an empty JSON object and are recorded but take no turn.
"""

import json

from loopback import ScriptedStandin, next_id

_USAGE = {"promptTokenCount": 100, "candidatesTokenCount": 5, "totalTokenCount": 105}


def _part(turn):
    if "tool" in turn:
        return {"functionCall": {"id": f"call_e2e_{next_id():04d}", "name": turn["tool"], "args": turn["arguments"]}}
    return {"text": turn["text"]}


class GeminiStandin(ScriptedStandin):

    def is_turn(self, request):
        return bool(request.get("tools"))

    def turns_taken(self, request):
        return sum(1 for c in request.get("contents", []) if c.get("role") == "model")

    def answer(self, path, request):
        model, _, method = path.rsplit("/", 1)[-1].partition(":")
        if not path.startswith(("/v1beta/models/", "/v1/models/")):
            return None
        if method == "countTokens":
            return 200, "application/json", json.dumps({"totalTokens": 100}).encode()
        if method not in ("generateContent", "streamGenerateContent"):
            return None
        if self.is_turn(request):
            part = _part(self.turn(request))
        else:
            self.record(request)
            part = {"text": "{}"}
        body = {"candidates": [{"content": {"role": "model", "parts": [part]}, "finishReason": "STOP", "index": 0}],
                "usageMetadata": _USAGE, "modelVersion": model}
        if method == "streamGenerateContent":
            return 200, "text/event-stream", f"data: {json.dumps(body)}\r\n\r\n".encode()
        return 200, "application/json", json.dumps(body).encode()

    def tool_outputs(self):
        """The function responses of the last turn: what the model was shown, as text, in order."""
        return [json.dumps(part["functionResponse"].get("response"))
                for content in self.last_turn_request().get("contents", [])
                for part in content.get("parts", []) if "functionResponse" in part]
