from slack_bolt import App

from bot.listeners.acks import ack_now
from bot.listeners.events.app_home import publish_home
from bot.listeners.events.assistant import greet_thread
from bot.listeners.events.conversation import answer_direct_message, answer_mention
from bot.listeners.events.messages_tab import suggest_prompts
from bot.listeners.events.statement_upload import import_uploaded_statement
from bot.listeners.outage import answers_outage as guarded


def register(app: App) -> None:
    app.event("app_mention")(ack=ack_now, lazy=[guarded(answer_mention)])
    app.event("message")(ack=ack_now, lazy=[guarded(answer_direct_message)])
    app.event("app_home_opened")(ack=ack_now, lazy=[guarded(publish_home), guarded(suggest_prompts)])  # by tab
    app.event("file_shared")(ack=ack_now, lazy=[guarded(import_uploaded_statement)])
    app.event("assistant_thread_started")(ack=ack_now, lazy=[guarded(greet_thread)])
    app.event("assistant_thread_context_changed")(ack_now)  # nothing to do; acknowledged so Slack does not retry
