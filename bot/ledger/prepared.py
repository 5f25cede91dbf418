"""The edit path's statements on SQLite, run by the DB-API's own cursor.

A statement run through SQLAlchemy's ``Connection.execute`` costs about 75 µs of Python before
and after SQLite's own work (the compiled cache's lookup, the parameters built, the execution
context, the result's wrapper): the person's status, which SQLite answers in 30 µs, took 105.
An edit runs about a dozen such statements on the writer's thread. ``Prepared`` compiles its
statement once for SQLite and runs it on the connection's DB-API cursor, in the same
transaction (pysqlite begins it with the first change; SQLAlchemy commits it). Every other
database, and a statement whose parameters SQLAlchemy would rewrite (a list expanded into the
SQL), goes through ``Connection.execute`` as before; a type's conversion of a value (a float's)
is applied here as SQLAlchemy applies it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

_Plan = tuple[str, Sequence[tuple[str, Any]], Mapping[str, Any]]


class Prepared:
    def __init__(self, statement: Any) -> None:
        self.statement = statement
        self._plan: _Plan | None = None
        self._planned = False

    def _sqlite(self, conn: Connection) -> _Plan | None:
        if not self._planned:
            compiled = self.statement.compile(dialect=conn.dialect)
            binds, processors = compiled.binds, compiled._bind_processors
            names = compiled.positiontup or ()
            plain = not any(bind.expanding or bind.literal_execute for bind in binds.values())
            self._plan = (compiled.string, [(name, processors.get(name)) for name in names], {
                name: binds[name].effective_value for name in names}) if plain else None
            self._planned = True
        return self._plan

    def execute(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        """The statement run with ``params``: a cursor (``rowcount``, ``fetchone``)."""
        plan = self._sqlite(conn) if conn.dialect.name == "sqlite" else None
        if plan is None:
            return conn.execute(self.statement, params)
        sql, names, fixed = plan
        values = [params[name] if name in params else fixed[name] for name, _ in names]
        values = [value if process is None or value is None else process(value)
                  for value, (_, process) in zip(values, names, strict=True)]
        try:
            return conn.connection.dbapi_connection.execute(  # type: ignore[union-attr]
                sql, values)
        except conn.dialect.loaded_dbapi.Error as error:  # as SQLAlchemy would raise it
            raise DBAPIError.instance(sql, values, error,
                                      conn.dialect.loaded_dbapi.Error) from error

    def rowcount(self, conn: Connection, params: Mapping[str, Any]) -> int:
        return int(self.execute(conn, params).rowcount)

    def first(self, conn: Connection, params: Mapping[str, Any]) -> Sequence[Any] | None:
        """The first row, or None."""
        row = self.execute(conn, params).fetchone()
        return None if row is None else tuple(row)

    def scalar(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        row = self.first(conn, params)
        return None if row is None else row[0]
