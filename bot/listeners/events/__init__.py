from slack_bolt import App

from bot.listeners.acks import ack_now
from bot.listeners.events.app_home import publish_home
from bot.listeners.events.assistant import greet_thread
from bot.listeners.events.conversation import answer_direct_message, answer_mention
from bot.listeners.events.messages_tab import suggest_prompts
from bot.listeners.events.statement_upload import import_uploaded_statement
from bot.listeners.once import once
from bot.listeners.outage import answers_outage as guarded


def register(app: App) -> None:
    # Bolt acknowledges events itself before any listener runs, and runs the listener on its thread pool
    # after that: no lazy listener is needed, so the request is not deep-copied before the ack.
    app.event("app_mention")(guarded(once(answer_mention)))
    app.event("message")(guarded(once(answer_direct_message)))
    app.event("app_home_opened")(guarded(once(publish_home, suggest_prompts)))  # each answers its own tab
    app.event("file_shared")(guarded(once(import_uploaded_statement)))
    app.event("assistant_thread_started")(guarded(once(greet_thread)))
    app.event("assistant_thread_context_changed")(ack_now)  # nothing to do; acknowledged so Slack does not retry
