"""chat.startStream / appendStream / stopStream as Slack answers them, for `MockSlack`.

A stream is a message in a thread that grows: markdown text and task updates are appended while it is
open; stopping it may add blocks at its bottom and closes it for good (appending then answers
`message_not_in_streaming_state`). Outside a DM the recipient (user and team) must be named. A test
makes a workspace refuse streams with `refuse_streams("not_allowed")`, or one call with `fail(...)`."""

from __future__ import annotations

from slack_sdk.models.messages.chunk import Chunk

from tests.fakes.slack_methods import BOT_ID, BOT_USER_ID

TASK_STATUSES = {"pending", "in_progress", "complete", "error"}
MAX_MARKDOWN = 12_000


class StreamMethods:
    streams_refused: str | None = None

    def refuse_streams(self, error: str | None = "not_allowed") -> None:
        """Every chat.startStream answers `error` (None: streams work again), like an older workspace."""
        with self._lock:
            self.streams_refused = error

    def streamed(self, channel: str | None = None) -> list[dict]:
        """The stream messages, oldest first, as they stand (with their chunks, open or stopped)."""
        return [m for m in self.messages(channel) if "chunks" in m]

    @staticmethod
    def _chunks(p: dict) -> list[dict] | None:
        """The call's chunks and markdown_text as chunk dicts, or None when Slack would refuse them."""
        chunks = list(p.get("chunks") or [])
        if p.get("markdown_text"):
            chunks.insert(0, {"type": "markdown_text", "text": p["markdown_text"]})
        for chunk in chunks:
            if not isinstance(chunk, dict) or Chunk.parse(dict(chunk)) is None:
                return None
            if chunk["type"] == "task_update" and (chunk.get("status") not in TASK_STATUSES
                                                   or not chunk.get("id") or not chunk.get("title")):
                return None
            if chunk["type"] == "markdown_text" and len(chunk.get("text") or "") > MAX_MARKDOWN:
                return None
        return chunks

    def _grow(self, msg: dict, chunks: list[dict]) -> None:
        msg["chunks"].extend(chunks)
        msg["text"] += "".join(c["text"] for c in chunks if c["type"] == "markdown_text")

    def _m_chat_startStream(self, p: dict) -> dict:
        if self.streams_refused:
            return {"error": self.streams_refused}
        channel = self._channel(p)
        if not channel:
            return {"error": "channel_not_found"}
        chunks = self._chunks(p)
        outside_dm = not channel.startswith("D")
        if chunks is None or outside_dm and not (p.get("recipient_user_id") and p.get("recipient_team_id")):
            return {"error": "invalid_arguments"}
        msg = {"type": "message", "channel": channel, "ts": self._next_ts(), "user": BOT_USER_ID,
               "bot_id": BOT_ID, "text": "", "chunks": [], "streaming": True,
               "recipient_user_id": p.get("recipient_user_id")}
        if p.get("thread_ts"):
            msg["thread_ts"] = p["thread_ts"]
        self._grow(msg, chunks)
        self._messages.append(msg)
        self._by_channel.setdefault(channel, []).append(msg)
        return {"channel": channel, "ts": msg["ts"]}

    def _open_stream(self, p: dict) -> tuple[dict | None, dict | None]:
        msg = self._find(self._channel(p), p.get("ts", ""))
        if msg is None:
            return None, {"error": "message_not_found"}
        if not msg.get("streaming"):
            return None, {"error": "message_not_in_streaming_state"}
        return msg, None

    def _m_chat_appendStream(self, p: dict) -> dict:
        msg, refused = self._open_stream(p)
        if refused:
            return refused
        chunks = self._chunks(p)
        if not chunks:
            return {"error": "invalid_arguments"}
        self._grow(msg, chunks)
        return {"channel": msg["channel"], "ts": msg["ts"]}

    def _m_chat_stopStream(self, p: dict) -> dict:
        msg, refused = self._open_stream(p)
        if refused:
            return refused
        chunks = self._chunks(p)
        if chunks is None:
            return {"error": "invalid_arguments"}
        self._grow(msg, chunks)
        msg["streaming"] = False
        if p.get("blocks"):
            msg["blocks"] = p["blocks"]
        return {"channel": msg["channel"], "ts": msg["ts"], "message": {k: v for k, v in msg.items()
                                                                       if k != "channel"}}
