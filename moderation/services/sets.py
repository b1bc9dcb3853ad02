"""Membership in a large set of integers as one bound parameter, on SQLite and PostgreSQL.

`column.in_(values)` renders one placeholder per value, so each size of set is another
statement: SQLAlchemy builds thousands of parameter names, and SQLite's driver keeps up
to 128 of those prepared statements per connection, some of them megabytes large (a
rescore worker grew by ~50 MB that way). A JSON array (SQLite's `json_each`) or an array
(PostgreSQL's `= ANY`) is one placeholder whatever the number of values.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any, cast

from sqlalchemy import BigInteger, ColumnElement, any_, bindparam, column, select, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.functions import func

from moderation.extensions import db


def among(target: Any, values: Collection[int]) -> ColumnElement[bool]:
    """`target IN values`, bound as one parameter (the values are integers)."""
    if not values:
        return ~true()  # nothing is among no values
    return among_bound(target, None, bound(values), _dialect())


def among_bound(target: Any, name: str | None, value: Any = None,
                dialect: str | None = None) -> ColumnElement[bool]:
    """`target IN :name`, for a statement built once per dialect: execute it with
    `{name: bound(values)}` (the values must not be empty)."""
    if (dialect or _dialect()) == "postgresql":
        return cast(ColumnElement[bool],
                    target == any_(bindparam(name, value, type_=ARRAY(BigInteger))))
    listed = select(column("value", BigInteger)).select_from(
        func.json_each(bindparam(name, value)))
    return cast(ColumnElement[bool], target.in_(listed.scalar_subquery()))


def bound(values: Collection[int]) -> Any:
    """Integers as the one parameter `among_bound` expects: an array or a JSON list."""
    listed = list(values)
    return listed if _dialect() == "postgresql" else json.dumps(listed)


def _dialect() -> str:
    return str(db.session.get_bind().dialect.name)
