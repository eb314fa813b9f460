"""Bulk lookups and inserts of thousands of rows (a roster import) that stay fast on PostgreSQL.

A plain ``IN (...)`` list or a multi-row ``INSERT ... VALUES`` carries one placeholder per value: for thousands
of values psycopg spends most of the time rewriting the long statement (it caches only short ones), and the
statement is sent once per chunk. On PostgreSQL a lookup gets one array parameter instead
(``col = ANY(%(values)s)``) and an insert is one ``COPY ... FROM STDIN`` (psycopg writes the rows in C; the new
ids, when wanted, are taken from the table's sequence first, in one query). Elsewhere (SQLite) the portable
chunked form stays. Same rows, same Python-side defaults, same transaction, same constraints either way.
"""

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import ColumnElement, Table, any_, bindparam, func, insert, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError

from lms.extensions import db

CHUNK = 500  # values per IN list / rows per INSERT where arrays are not available


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


@contextmanager
def gc_paused():
    """Cyclic garbage collection off for the duration (also a decorator). Building thousands of row dicts would
    otherwise start several full collections, each walking every object of the process (about a sixth of a
    5,000-row import); reference counting still frees what is dropped, and the collector is turned back on at
    the end (unless it was off already, e.g. paused by an import running in another thread)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def chunks(values: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def in_values(column: ColumnElement, values: Sequence) -> Iterator[ColumnElement]:
    """Conditions that together select ``column IN values``: one ``= ANY(array)`` on PostgreSQL, else one IN
    per chunk. Nothing for no values (run one query per condition and merge the results)."""
    values = list(values)
    if not values:
        return
    if _postgresql():
        yield column == any_(bindparam(None, values, type_=ARRAY(column.type)))
        return
    for chunk in chunks(values):
        yield column.in_(chunk)


def _with_defaults(table: Table, rows: list[dict]) -> tuple[list[str], list[dict]]:
    """Every row with the same keys: the given ones plus each column's Python-side default (a scalar, or a
    callable called per row, e.g. a unique token), as an ordinary INSERT would fill them."""
    names = list(dict.fromkeys(name for row in rows for name in row))
    extra = [
        column
        for column in table.columns
        if column.key not in names and column.default is not None and not column.default.is_sequence
    ]
    for column in extra:
        if column.default.is_clause_element:
            raise ValueError(f"bulk insert: SQL default of {table.name}.{column.key} is not supported")
    full = []
    for row in rows:
        values = {name: row.get(name) for name in names}
        for column in extra:
            default = column.default
            values[column.key] = default.arg(None) if default.is_callable else default.arg
        full.append(values)
    return names + [column.key for column in extra], full


def _single_primary_key(table: Table):
    columns = list(table.primary_key.columns)
    return columns[0] if len(columns) == 1 else None


def insert_rows(table: Table, rows: list[dict], returning: Sequence[ColumnElement] = ()) -> list:
    """Insert ``rows`` (dicts of column values by column key) into ``table`` in the session's transaction; return
    the ``returning`` columns of the new rows (tuples, in no guaranteed order) when asked: the primary key and
    the columns given (or defaulted in Python), not other values the server makes up."""
    if not rows:
        return []
    keys, rows = _with_defaults(table, rows)
    primary = _single_primary_key(table)
    unknown = [column.key for column in returning if column.key not in keys and column is not primary]
    if unknown:
        raise ValueError(f"bulk insert: cannot return {', '.join(unknown)} of {table.name}")
    db.session.flush()  # pending ORM changes first, as before any statement the session runs
    if _postgresql():
        keys = _copy_rows(table, keys, rows, need_id=any(column is primary for column in returning))
        return [tuple(row[column.key] for column in returning) for row in rows] if returning else []
    # RETURNING without a guaranteed order keeps SQLite's insert batched (an ordered one goes row by row).
    statement = insert(table).returning(*returning) if returning else insert(table)
    found = []
    for chunk in chunks(rows):
        result = db.session.execute(statement, list(chunk))
        if returning:
            found.extend(tuple(row) for row in result)
    return found


def _copy_rows(table: Table, keys: list[str], rows: list[dict], need_id: bool) -> list[str]:
    """COPY ``rows`` into ``table``; with ``need_id``, first give each row its id from the table's sequence.
    Returns the keys written."""
    connection = db.session.connection()
    dialect = connection.dialect
    primary = _single_primary_key(table)
    if need_id and primary.key not in keys:
        sequence = connection.execute(
            select(func.pg_get_serial_sequence(dialect.identifier_preparer.format_table(table), primary.name))
        ).scalar()
        if sequence is None:
            raise ValueError(f"bulk insert: {table.name}.{primary.name} has no sequence")
        ids = connection.execute(select(func.nextval(sequence)).select_from(func.generate_series(1, len(rows))))
        for row, new_id in zip(rows, ids.scalars(), strict=True):
            row[primary.key] = new_id
        keys = [*keys, primary.key]
    columns = [table.c[key] for key in keys]
    processors = [  # what the driver would be given: an enum's value, a JSON document wrapped for psycopg
        (index, processor)
        for index, column in enumerate(columns)
        if (processor := column.type.dialect_impl(dialect).bind_processor(dialect)) is not None
    ]
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(column.name) for column in columns)
    statement = f"COPY {dialect.identifier_preparer.format_table(table)} ({names}) FROM STDIN"
    driver_error = dialect.loaded_dbapi.Error
    try:
        with connection.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                values = [row[key] for key in keys]
                for index, processor in processors:
                    values[index] = processor(values[index])
                copy.write_row(values)
    except driver_error as exc:  # as SQLAlchemy reports it for any statement: IntegrityError for a duplicate
        raise DBAPIError.instance(statement, None, exc, driver_error) from exc
    return keys
