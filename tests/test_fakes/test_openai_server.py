"""The scripted OpenAI server speaks the protocol the real openai and langchain-openai clients expect."""

from __future__ import annotations

import json
import threading

import openai
import pytest
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, Field

from tests.fakes.openai_server import ScriptedOpenAI, delay, http_error, reply, tool_calls

USER = [{"role": "user", "content": "how much does acme owe?"}]
TOOLS = [{"type": "function", "function": {"name": "find_customer", "description": "Find a customer",
                                           "parameters": {"type": "object",
                                                          "properties": {"query": {"type": "string"}}}}}]


class check_credit(BaseModel):  # noqa: N801 - a tool's name is its class name
    """Check a customer's credit."""

    customer: str = Field(description="customer name or code")
    amount: float | None = None


@pytest.fixture
def llm():
    with ScriptedOpenAI() as server:
        yield server


def client(llm: ScriptedOpenAI, **kw) -> openai.OpenAI:
    return openai.OpenAI(base_url=llm.base_url, api_key="x", max_retries=0, **kw)


def test_reply_non_stream_has_openai_shape(llm):
    llm.push(reply("Acme owes 1,200.00"))
    res = client(llm).chat.completions.create(model="gpt-test", messages=USER)
    assert res.object == "chat.completion" and res.model == "gpt-test" and res.id
    assert res.choices[0].message.content == "Acme owes 1,200.00"
    assert res.choices[0].finish_reason == "stop"
    assert res.usage.prompt_tokens >= 1 and res.usage.total_tokens == res.usage.prompt_tokens + 5
    assert llm.calls_count == 1 and llm.last_request["messages"] == USER and llm.pending == 0


def test_tool_calls_non_stream(llm):
    llm.push(tool_calls(("find_customer", {"query": "acme"}), ("check_credit", {"customer": "ACME"})))
    res = client(llm).chat.completions.create(model="m", messages=USER, tools=TOOLS)
    msg = res.choices[0].message
    assert res.choices[0].finish_reason == "tool_calls" and msg.content is None
    assert [c.id for c in msg.tool_calls] == ["call_1", "call_2"]
    assert [c.function.name for c in msg.tool_calls] == ["find_customer", "check_credit"]
    assert json.loads(msg.tool_calls[0].function.arguments) == {"query": "acme"}
    assert isinstance(msg.tool_calls[1].function.arguments, str)
    assert llm.tool_names_offered(0) == ["find_customer"]


def test_tool_calls_stream_with_usage(llm):
    llm.push(tool_calls(("find_customer", {"query": "acme corp"}), ("check_credit", {"customer": "ACME"})))
    stream = client(llm).chat.completions.create(model="m", messages=USER, tools=TOOLS, stream=True,
                                                 stream_options={"include_usage": True})
    chunks = list(stream)
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    calls: dict[int, dict] = {}
    for c in chunks:
        for tc in (c.choices[0].delta.tool_calls or []) if c.choices else []:
            slot = calls.setdefault(tc.index, {"id": tc.id, "name": tc.function.name, "args": ""})
            slot["args"] += tc.function.arguments or ""
    assert calls[0]["id"] == "call_1" and calls[1]["name"] == "check_credit"
    assert json.loads(calls[0]["args"]) == {"query": "acme corp"}
    fragments = [c for c in chunks if c.choices and c.choices[0].delta.tool_calls]
    assert len(fragments) > 2  # arguments arrive split across chunks
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "tool_calls"
    assert chunks[-1].choices == [] and chunks[-1].usage.total_tokens > 0


def test_text_stream(llm):
    llm.push(reply("Acme Corp owes 1,200.00 overall"))
    stream = client(llm).chat.completions.create(model="m", messages=USER, stream=True)
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == "Acme Corp owes 1,200.00 overall" and len(chunks) > 3
    assert all(c.usage is None for c in chunks)


def test_http_error_raises_internal_server_error(llm):
    llm.push(http_error(500, "model overloaded"))
    with pytest.raises(openai.InternalServerError, match="model overloaded"):
        client(llm).chat.completions.create(model="m", messages=USER)


def test_rate_limit_error(llm):
    llm.push(http_error(429, "slow down"))
    with pytest.raises(openai.RateLimitError):
        client(llm).chat.completions.create(model="m", messages=USER)


def test_exhausted_script_is_a_loud_500(llm):
    with pytest.raises(openai.InternalServerError, match="script exhausted"):
        client(llm).chat.completions.create(model="m", messages=USER)
    assert llm.calls_count == 1


def test_delay_provokes_client_timeout(llm):
    llm.push(delay(2, reply("too late")))
    with pytest.raises(openai.APITimeoutError):
        client(llm, timeout=0.3).chat.completions.create(model="m", messages=USER)


def test_callable_step_sees_request(llm):
    llm.push(lambda req: reply(f"you said: {req['messages'][-1]['content']}"))
    res = client(llm).chat.completions.create(model="m", messages=USER)
    assert res.choices[0].message.content == "you said: how much does acme owe?"


def test_default_answers_concurrent_calls(llm):
    llm.default(reply("ok"))
    c = client(llm)
    results: list[str] = []

    def call() -> None:
        results.append(c.chat.completions.create(model="m", messages=USER).choices[0].message.content)

    threads = [threading.Thread(target=call) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["ok"] * 16 and llm.calls_count == 16


def test_models_list(llm):
    assert [m.id for m in client(llm).models.list()] == ["tally-test-model"]


def chat(llm: ScriptedOpenAI, **kw) -> ChatOpenAI:
    return ChatOpenAI(base_url=llm.base_url, api_key="x", model="m", max_retries=0, **kw)


def test_langchain_invoke_parses_tool_calls_and_usage(llm):
    llm.push(tool_calls(("check_credit", {"customer": "ACME", "amount": 500.0})))
    msg = chat(llm).bind_tools([check_credit]).invoke("can acme buy 500 more?")
    assert msg.tool_calls == [{"name": "check_credit", "args": {"customer": "ACME", "amount": 500.0},
                               "id": "call_1", "type": "tool_call"}]
    assert msg.usage_metadata["total_tokens"] > 0
    assert llm.tool_names_offered() == ["check_credit"]


def test_langchain_stream_parses_tool_calls_and_usage(llm):
    llm.push(tool_calls(("check_credit", {"customer": "Globex"})))
    full = None
    for chunk in chat(llm, stream_usage=True).bind_tools([check_credit]).stream("globex credit?"):
        full = chunk if full is None else full + chunk
    assert full.tool_calls[0]["name"] == "check_credit"
    assert full.tool_calls[0]["args"] == {"customer": "Globex"}
    assert full.usage_metadata["output_tokens"] > 0
    assert llm.last_request["stream"] is True


def test_langchain_text_reply(llm):
    llm.push(reply("Hello from Tally"))
    assert chat(llm).invoke("hi").content == "Hello from Tally"
