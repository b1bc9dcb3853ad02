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
    listed_values = list(values)
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(ColumnElement[bool],
                    target == any_(bindparam(None, listed_values, type_=ARRAY(BigInteger))))
    listed = select(column("value", BigInteger)).select_from(
        func.json_each(bindparam(None, json.dumps(listed_values))))
    return cast(ColumnElement[bool], target.in_(listed.scalar_subquery()))
