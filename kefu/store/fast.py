"""The statements on a turn's path, run on the driver's own connection.

A peak turn runs three to five statements. For each call SQLAlchemy builds a ``Connection``, an
execution context, the bound parameters and a wrapped row: the customer read of every turn costs
the client about 230 µs of CPU on PostgreSQL that way, and about 120 through this module
(``bench/bench_statements.py``; on SQLite 68 against 36). Those statements are Core statements
built once, so their compiled form can be kept: ``FastStatements`` compiles each one once for the
engine's dialect (the SQL text, which parameters it takes, the defaults of its literal
parameters, and the type processors of its parameters and columns, so encryption at rest and
dates behave exactly as through SQLAlchemy) and runs it on a pooled DBAPI connection.

What stays SQLAlchemy's: the pool, the dialect's SQL, the types, and the exceptions: a failing
statement raises the same ``IntegrityError`` or ``OperationalError`` SQLAlchemy would, and a
lost connection empties the pool as SQLAlchemy does, so a database restart costs a worker one
503 and not one per pooled connection.

Only single statements that commit by themselves go this way (PostgreSQL autocommit; on SQLite a
statement that began a transaction is committed before the connection goes back). Statements
with expanding (``IN``) or callable parameters are refused when compiled: they need SQLAlchemy's
per-call rendering.
"""

from __future__ import annotations

import threading
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement

Processor = Callable[[Any], Any] | None


class _Compiled:
    """One statement compiled for the engine's dialect, and how to read its rows."""

    __slots__ = ("binds", "columns", "defaults", "names", "reader", "required", "sql", "statement")

    def __init__(
        self,
        statement: ClauseElement,
        sql: str,
        names: tuple[str, ...],
        defaults: dict[str, Any],
        binds: tuple[tuple[str, Callable[[Any], Any]], ...],
        required: frozenset[str],
        columns: tuple[Any, ...],
    ) -> None:
        self.statement = statement  # the cache's key is its id: kept, compared, never reused
        self.sql = sql
        self.names = names  # every parameter, in the order of a positional dialect's markers
        self.defaults = defaults  # literal parameters SQLAlchemy bound in the statement itself
        self.binds = binds  # parameters with a type processor
        self.required = required  # parameters each call must give
        self.columns = columns  # the SQLAlchemy types of the columns a statement returns
        # how to read rows: made from the first result (processors may depend on the type codes
        # the driver reports)
        self.reader: tuple[Callable[..., Any], tuple[Processor, ...]] | None = None


# statements kept compiled at once: a turn's path has a few dozen; past this the oldest goes
MAX_STATEMENTS = 512


class FastStatements:
    """Runs Core statements compiled once on pooled DBAPI connections (see the module)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._dialect = engine.dialect
        self._dbapi_error: type[Exception] = engine.dialect.loaded_dbapi.Error
        self._postgres = engine.dialect.name == "postgresql"
        self._compiled: dict[int, _Compiled] = {}
        self._lock = threading.Lock()

    def rows(self, statement: ClauseElement, params: Mapping[str, Any]) -> list[Any]:
        """Run ``statement`` with ``params`` as one committed statement; the rows it returned
        (attribute access by column name, as SQLAlchemy's rows), or ``[]``."""
        compiled = self._compiled.get(id(statement))
        if compiled is None or compiled.statement is not statement:
            compiled = self._compile(statement)
        args = self._arguments(compiled, params)
        raw = self._engine.raw_connection()
        try:
            conn: Any = raw.driver_connection
            if self._postgres:
                conn.autocommit = True  # one statement: BEGIN and COMMIT would be round trips
            cursor = conn.cursor()
            try:
                cursor.execute(compiled.sql, args)
                found = cursor.fetchall() if compiled.columns else []
                reader = compiled.reader
                if found and reader is None:  # the driver's description costs: read it once
                    reader = compiled.reader = self._reader(compiled, cursor.description)
            finally:
                cursor.close()
            if self._postgres:
                conn.autocommit = False  # as the pool's other users expect it
            elif conn.in_transaction:
                conn.commit()
        except self._dbapi_error as exc:
            raise self._failed(raw, compiled, exc) from exc
        finally:
            raw.close()
        if not found or reader is None:
            return []
        make, processors = reader
        return [
            make(
                *[v if p is None or v is None else p(v) for v, p in zip(r, processors, strict=True)]
            )
            for r in found
        ]

    def _arguments(self, compiled: _Compiled, params: Mapping[str, Any]) -> Any:
        values = compiled.defaults | dict(params) if compiled.defaults else dict(params)
        missing = compiled.required - values.keys()
        if missing:
            raise TypeError(f"no value for the statement's parameters {sorted(missing)}")
        for name, process in compiled.binds:
            values[name] = process(values[name])  # None too: SQLAlchemy's types decide
        if self._dialect.positional:
            return tuple(values[name] for name in compiled.names)
        return values

    def _failed(self, raw: Any, compiled: _Compiled, exc: Exception) -> BaseException:
        disconnected = self._dialect.is_disconnect(cast(Any, exc), raw.dbapi_connection, None)
        if disconnected:
            # the server went away: every pooled connection is as dead as this one, so start a
            # fresh pool (SQLAlchemy's own execution does the same); holders keep theirs
            raw.invalidate(exc)
            self._engine.dispose(close=False)
        else:
            # a failed statement leaves psycopg's connection as it was: back to the pool's state
            try:
                if self._postgres:
                    raw.driver_connection.autocommit = False
                else:
                    raw.driver_connection.rollback()
            except self._dbapi_error:
                raw.invalidate(exc)
        wrapped = DBAPIError.instance(
            compiled.sql,
            None,  # never customer text in a log line
            exc,
            self._dbapi_error,
            hide_parameters=True,
            connection_invalidated=disconnected,
            dialect=self._dialect,
        )
        return cast(BaseException, wrapped)

    def _compile(self, statement: ClauseElement) -> _Compiled:
        compiled: Any = statement.compile(dialect=self._dialect)
        binds: dict[str, Any] = compiled.binds
        for name, bind in binds.items():
            if bind.expanding or bind.literal_execute or bind.callable is not None:
                raise ValueError(f"parameter {name!r} needs per-call rendering: use SQLAlchemy")
        names = tuple(compiled.positiontup or ()) if self._dialect.positional else tuple(binds)
        processors: list[tuple[str, Callable[[Any], Any]]] = []
        for name, bind in binds.items():
            process = bind.type.dialect_impl(self._dialect).bind_processor(self._dialect)
            if process is not None:
                processors.append((name, process))
        made = _Compiled(
            statement=statement,
            sql=str(compiled),
            names=names,
            defaults={n: b.value for n, b in binds.items() if not b.required},
            binds=tuple(processors),
            required=frozenset(n for n, b in binds.items() if b.required),
            columns=tuple(c.type for c in getattr(statement, "exported_columns", ())),
        )
        with self._lock:
            if len(self._compiled) >= MAX_STATEMENTS:  # statements made per call: keep a bound
                self._compiled.pop(next(iter(self._compiled)))
            self._compiled[id(statement)] = made
        return made

    def _reader(
        self, compiled: _Compiled, description: Sequence[Any]
    ) -> tuple[Callable[..., Any], tuple[Processor, ...]]:
        if len(compiled.columns) != len(description):
            raise ValueError("the statement returned other columns than it declares")
        processors = tuple(
            t.dialect_impl(self._dialect).result_processor(self._dialect, d[1])
            for t, d in zip(compiled.columns, description, strict=True)
        )
        return _row_type([d[0] for d in description]), processors


def _row_type(names: Sequence[str]) -> Callable[..., Any]:
    # rename: a column SQL names oddly (``count(*)``) is still reachable by position
    return namedtuple("Row", names, rename=True)
