"""Writes expected.json: each case rendered by Jinja2 in the environment transformers' apply_chat_template builds
(ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols, its tojson and raise_exception, and a
{% generation %} extension that renders the body and records its character span, as AssistantTracker does).
Run with Jinja2 3.1: python3 generate_expected.py"""
import json
from jinja2 import nodes
from jinja2.exceptions import TemplateError
from jinja2.ext import Extension, loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment


class Generation(Extension):
    tags = {"generation"}

    def __init__(self, environment):
        super().__init__(environment)
        self.spans = []
        self.rendered = []

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return nodes.CallBlock(self.call_method("_mark"), [], [], body).set_lineno(lineno)

    def _mark(self, caller):
        text = caller()
        self.spans.append(text)
        return "\ue000" + text + "\ue001"


def raise_exception(message):
    raise TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def render(template, context):
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[Generation, loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    marked = env.from_string(template).render(**context)
    text, spans, start = "", [], None
    for c in marked:
        if c == "\ue000":
            start = len(text)
        elif c == "\ue001":
            spans.append([start, len(text)])
        else:
            text += c
    return text, spans


SYSTEM = {"role": "system", "content": "You are a helpful assistant."}
CHAT = [{"role": "user", "content": "Hello!"}, {"role": "assistant", "content": "Hi! How can I help?"},
        {"role": "user", "content": "What is 2+2?"}]
CHAT_DONE = CHAT + [{"role": "assistant", "content": "  4, of course.\n"}]
TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "Weather of a city, \"now\" é",
          "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
TOOL_CHAT = [
    {"role": "user", "content": "What's the weather in Paris?"},
    {"role": "assistant", "content": "<think>\nThe user wants the weather.\n</think>\n\nLet me check.",
     "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris", "days": 1.5}}}]},
    {"role": "tool", "content": "{\"temp\": 21}"},
    {"role": "tool", "content": "{\"wind\": 3}"},
    {"role": "assistant", "content": "<think>\nWarm.\n</think>\n\nIt is 21°C in Paris."},
]
SPECIAL = {"bos_token": "<s>", "eos_token": "</s>"}

CASES = []
for name in ["qwen2.5", "qwen3", "llama3", "smollm2", "chatml-generation"]:
    CASES.append({"template": name, "messages": [SYSTEM] + CHAT, "add_generation_prompt": True, "variables": {}})
    CASES.append({"template": name, "messages": CHAT_DONE, "add_generation_prompt": False, "variables": {}})
CASES.append({"template": "qwen2.5", "messages": TOOL_CHAT, "add_generation_prompt": True, "variables": {"tools": TOOLS}})
CASES.append({"template": "qwen3", "messages": TOOL_CHAT, "add_generation_prompt": False, "variables": {"tools": TOOLS}})
CASES.append({"template": "qwen3", "messages": TOOL_CHAT[:1], "add_generation_prompt": True,
              "variables": {"enable_thinking": False}})
CASES.append({"template": "alternating", "messages": CHAT_DONE, "add_generation_prompt": False, "variables": {}})

out = []
for case in CASES:
    template = open(case["template"] + ".jinja").read()
    context = dict(SPECIAL, messages=case["messages"], tools=None, documents=None,
                   add_generation_prompt=case["add_generation_prompt"])
    context.update(case["variables"])
    text, spans = render(template, context)
    out.append(dict(case, expected=text, generation_spans=spans))
with open("expected.json", "w") as f:
    json.dump(out, f, indent=1, ensure_ascii=False)
    f.write("\n")
