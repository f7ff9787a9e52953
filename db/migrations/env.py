"""Alembic environment: the URL and connection come from db.migrate, never from an ini file."""

from alembic import context

from db.models import Base

config = context.config
connection = config.attributes.get("connection")
target = Base.metadata

if connection is None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=target, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()
