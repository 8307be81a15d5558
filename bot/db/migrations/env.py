"""Alembic's entry: migrations run on the connection the bot hands over (bot.db.migrate), in its transaction.

Run by hand (e.g. `alembic revision --autogenerate`) with `-x url=sqlite:///data/dev.sqlite3`: a synchronous
engine is made for it. SQLite gets batch mode, since it can alter a table only by rebuilding it.
"""

from alembic import context
from sqlalchemy import create_engine

from bot.db.tables import metadata


def run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_server_default=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option("sqlalchemy.url")
    with create_engine(url).begin() as sync_connection:
        run(sync_connection)
