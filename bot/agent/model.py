"""The chat model, from settings only: OpenAI or any OpenAI-compatible server."""

from __future__ import annotations

from langchain_openai import ChatOpenAI

from config import Settings

MISSING_MODEL = ("No model is configured. Set TALLY_MODEL (and OPENAI_API_KEY, plus OPENAI_BASE_URL for a "
                 "server other than OpenAI) in the environment or .env.")


def chat_model(settings: Settings) -> ChatOpenAI:
    if not settings.model:
        raise RuntimeError(MISSING_MODEL)
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    return ChatOpenAI(
        model=settings.model, api_key=key, base_url=settings.openai_base_url, temperature=0,
        timeout=settings.model_timeout_s, max_retries=settings.model_retries, use_responses_api=False,
    )
