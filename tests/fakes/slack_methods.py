"""Slack Web API methods answered by `MockSlack`: messages, DMs, users, views and file uploads.

Each `_m_<method with dots as underscores>(params) -> dict` runs under the mock's lock; a result with
an "error" key is answered `ok: false`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime
from itertools import islice
from zoneinfo import ZoneInfo

BOT_USER_ID, BOT_ID, TEAM_ID = "U0TALLYBOT", "B0TALLYBOT", "T0TEAM"


def _without(d: dict, *keys: str) -> dict:
    return {k: v for k, v in d.items() if k not in keys}


def _truthy(value: object) -> bool:
    return value in (True, 1, "1", "true", "True")


class SlackMethods:
    """State lives in the mock: `_messages` (and the same per channel, `_by_channel`), `_users`, `_counter`,
    `ephemeral`, uploads; `clock` (None: the system's) dates the messages."""

    def _next_ts(self) -> str:
        """Like Slack's: the time of posting, in microseconds, unique and increasing; on the mock's
        clock, which a test may share with the code under test."""
        now = self.clock.now().timestamp() if self.clock is not None else time.time()
        self._last_micros = max(int(now * 1_000_000), self._last_micros + 1)
        return f"{self._last_micros // 1_000_000}.{self._last_micros % 1_000_000:06d}"

    @staticmethod
    def _channel(params: dict) -> str:
        channel = params.get("channel") or params.get("channel_id") or ""
        return "D" + channel if channel[:1] in ("U", "W") else channel

    def _find(self, channel: str, ts: str) -> dict | None:
        return next((m for m in self._by_channel.get(channel, []) if m["ts"] == ts), None)

    def _m_auth_test(self, p: dict) -> dict:
        return {"url": "https://tally-test.slack.com/", "team": "Tally Test", "user": "tally",
                "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID, "is_enterprise_install": False}

    def _m_chat_postMessage(self, p: dict) -> dict:
        channel = self._channel(p)
        if not channel:
            return {"error": "channel_not_found"}
        msg = {"type": "message", "channel": channel, "ts": self._next_ts(), "user": BOT_USER_ID,
               "bot_id": BOT_ID, "text": p.get("text", "")}
        msg.update({k: p[k] for k in ("blocks", "attachments", "metadata", "thread_ts") if p.get(k)})
        self._messages.append(msg)
        self._by_channel.setdefault(channel, []).append(msg)
        return {"channel": channel, "ts": msg["ts"], "message": _without(msg, "channel")}

    def _m_chat_update(self, p: dict) -> dict:
        msg = self._find(self._channel(p), p.get("ts", ""))
        if msg is None:
            return {"error": "message_not_found"}
        msg.update({k: p[k] for k in ("text", "blocks", "attachments", "metadata") if k in p})
        return {"channel": msg["channel"], "ts": msg["ts"], "text": msg.get("text", "")}

    def _m_chat_delete(self, p: dict) -> dict:
        msg = self._find(self._channel(p), p.get("ts", ""))
        if msg is None:
            return {"error": "message_not_found"}
        self._messages.remove(msg)
        self._by_channel[msg["channel"]].remove(msg)
        return {"channel": msg["channel"], "ts": msg["ts"]}

    def _m_chat_postEphemeral(self, p: dict) -> dict:
        self.ephemeral.append({**p, "channel": self._channel(p), "message_ts": self._next_ts()})
        return {"message_ts": self.ephemeral[-1]["message_ts"]}

    def _m_conversations_open(self, p: dict) -> dict:
        users = str(p.get("users", "")).split(",")
        return {"channel": {"id": "D" + users[0]}} if users[0] else {"error": "users_list_not_supplied"}

    def _history(self, msgs: Iterable[dict], p: dict) -> dict:
        """A page of `msgs` within oldest/latest, from `cursor` (an offset), `limit` long, as Slack pages."""
        keep_meta = _truthy(p.get("include_all_metadata"))
        oldest, latest = float(p.get("oldest") or 0), float(p.get("latest") or "inf")
        inclusive = _truthy(p.get("inclusive"))
        start, limit = int(p.get("cursor") or 0), int(p.get("limit") or 100)
        inside = (m for m in msgs if (oldest <= float(m["ts"]) <= latest if inclusive
                                      else oldest < float(m["ts"]) < latest))
        page = list(islice(inside, start, start + limit + 1))
        out = [_without(m, "channel", *(() if keep_meta else ("metadata",))) for m in page[:limit]]
        more = len(page) > limit
        return {"messages": out, "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    def _m_conversations_history(self, p: dict) -> dict:
        """Top-level messages, newest first."""
        channel = self._by_channel.get(self._channel(p), [])
        return self._history((m for m in reversed(channel) if m.get("thread_ts", m["ts"]) == m["ts"]), p)

    def _m_conversations_replies(self, p: dict) -> dict:
        """Like Slack: the parent first, then its replies oldest first."""
        channel, ts = self._channel(p), p.get("ts")
        thread = [m for m in self._by_channel.get(channel, []) if ts in (m["ts"], m.get("thread_ts"))]
        return self._history(thread, p) if thread else {"error": "thread_not_found"}

    def _m_users_info(self, p: dict) -> dict:
        uid = p.get("user", "")
        prof = self._users.get(uid, {"tz": "UTC", "real_name": uid})
        extra = {k: v for k, v in prof.items() if k not in ("tz", "real_name")}
        offset = datetime.now(ZoneInfo(prof["tz"])).utcoffset()
        user = {"id": uid, "team_id": TEAM_ID, "name": uid.lower(), "real_name": prof["real_name"],
                "tz": prof["tz"], "tz_label": prof["tz"], "tz_offset": int(offset.total_seconds()),
                "is_bot": False, "deleted": False,
                "profile": {"real_name": prof["real_name"], "display_name": prof["real_name"]}, **extra}
        return {"user": user}

    def _m_apps_connections_open(self, p: dict) -> dict:
        """A Socket Mode URL, each with its own ticket, when a Socket Mode server was attached."""
        url = getattr(self, "socket_mode_url", None)
        if not url:
            return {"error": "not_allowed_token_type"}
        self._counter += 1
        return {"url": f"{url}?ticket={self._counter}&app_id=A0TALLY"}

    def _m_assistant_threads_setSuggestedPrompts(self, p: dict) -> dict:
        """Up to four prompts, each a title and a message; `thread_ts` only for the legacy assistant view."""
        prompts = p.get("prompts")
        if not p.get("channel_id"):
            return {"error": "channel_not_found"}
        if not isinstance(prompts, list) or not 0 < len(prompts) <= 4 \
                or not all(isinstance(x, dict) and x.get("title") and x.get("message") for x in prompts):
            return {"error": "invalid_arguments"}
        return {}

    def _view(self, p: dict) -> dict:
        view = p.get("view") or {}
        self._counter += 1
        return {"view": {"id": p.get("view_id") or f"V{self._counter:08d}", "team_id": TEAM_ID,
                         "hash": f"h{self._counter}", **view}}

    _m_views_publish = _m_views_open = _m_views_update = _m_views_push = _view

    def _m_files_getUploadURLExternal(self, p: dict) -> dict:
        self._counter += 1
        file_id = f"F{self._counter:08d}"
        return {"upload_url": f"{self.root_url}/upload/{file_id}", "file_id": file_id}

    def share_file(self, file_id: str, name: str, data: bytes) -> None:
        """A file a user shared with the app: files.info describes it, its private URL serves it."""
        self.uploaded_files[file_id] = data
        self.file_names[file_id] = name

    def finish_processing(self) -> None:
        """Every upload so far is processed: image blocks may show it."""
        with self._lock:
            self.ready_files.update(f["id"] for upload in self.completed_uploads for f in upload["files"] or [])

    def _m_files_info(self, p: dict) -> dict:
        file_id = p.get("file", "")
        if file_id not in self.uploaded_files:
            return {"ok": False, "error": "file_not_found"}
        return {"file": {"id": file_id, "name": self.file_names.get(file_id, file_id),
                         "size": len(self.uploaded_files[file_id]),
                         "url_private_download": f"{self.root_url}/download/{file_id}"}}

    def _m_files_completeUploadExternal(self, p: dict) -> dict:
        keys = ("files", "channel_id", "thread_ts", "initial_comment")
        self.completed_uploads.append({k: p.get(k) for k in keys})
        if not self.files_processing:
            self.ready_files.update(f["id"] for f in p.get("files") or [])
        files = [{"id": f["id"], "title": f.get("title"), "name": f.get("title"),
                  "size": len(self.uploaded_files.get(f["id"], b""))} for f in p.get("files") or []]
        return {"files": files}
