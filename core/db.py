"""The project's own database (not Rasa's tracker store): one URL, SQLite by default.

SQLAlchemy 1.4 with 2.0-style code (`select()`, `Session.execute`, `future=True`); the schema is
owned by Alembic migrations in migrations/ (`upgrade()` runs them at start-up and in tests).
"""
from __future__ import annotations

import logging

from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Optional

from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool
from sqlalchemy.orm import Session, declarative_base, sessionmaker

from core.paths import ROOT
from core.settings import get_settings

logger = logging.getLogger(__name__)
Base = declarative_base()


def make_engine(url: Optional[str] = None) -> Engine:
    url = url or get_settings().database_url
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        # A pool (SQLAlchemy 1.4 defaults to none for SQLite files): opening a connection and
        # setting its pragmas cost ~6 ms per transaction, on the webhooks' acknowledgement path.
        engine = create_engine(url, future=True, poolclass=QueuePool, pool_size=5, max_overflow=10,
                               connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record):  # WAL: readers never block the writer
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL loses nothing when a process dies (only on power loss), and spares
            # an fsync per commit: the inbox write sits on the webhook's acknowledgement path.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return overwrite_deletes(engine)
    return create_engine(url, future=True, pool_pre_ping=True)


def overwrite_deletes(engine: Engine) -> Engine:
    """SQLite: deleted rows are overwritten with zeros, not left in free pages of the file
    (every engine that erases personal data: ours, Rasa's tracker store, the purge's)."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", lambda connection, _record: connection.execute("PRAGMA secure_delete=ON"))
    return engine


def tracker_store_engine(url: str) -> Engine:
    """An engine on Rasa's tracker store database, for the erasure and the purge (another
    process's tables: no pool settings or pragmas of ours beyond overwriting deletes)."""
    return overwrite_deletes(create_engine(url, future=True))


def scrub_deleted(engine: Engine) -> bool:
    """After an erasure: no copy of the deleted rows left in SQLite's write-ahead log.

    secure_delete zeroes the rows in the database file, but the WAL still holds the pages as
    they were until a checkpoint copies them back and truncates it. True when the WAL is empty
    (or there is none: PostgreSQL reuses the space of deleted rows after its autovacuum)."""
    if engine.dialect.name != "sqlite":
        return True
    with engine.connect() as connection:
        busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()[0]
    if busy:
        logger.warning("erased rows stay in the SQLite WAL until the next checkpoint: a reader was busy")
    return not busy


@lru_cache(maxsize=8)
def get_engine(url: Optional[str] = None) -> Engine:
    return make_engine(url)


def session_factory(engine: Optional[Engine] = None) -> sessionmaker:
    return sessionmaker(bind=engine or get_engine(), future=True, expire_on_commit=False)


@contextmanager
def session_scope(engine: Optional[Engine] = None) -> Iterator[Session]:
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()


def upgrade(url: Optional[str] = None) -> None:
    """Bring the database at `url` to the newest schema (Alembic `upgrade head`)."""
    from alembic import command
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url or get_settings().database_url)
    command.upgrade(config, "head")


def is_transient(error: BaseException) -> bool:
    """Worth trying again: the database could not be reached, dropped the connection, or was locked."""
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, (exc.OperationalError, exc.InterfaceError, exc.TimeoutError)):
        return True  # refused / reset / server restarting / "database is locked" / pool exhausted
    return False
