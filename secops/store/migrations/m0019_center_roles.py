"""Center staff roles: 值班员 (duty), 分析员 (analyst), 管理员 (admin); and when each last looked at
the overview (what is new since). Accounts made before roles existed become duty officers: the
dashboard was read-only then, so no one loses a power they had."""

import sqlalchemy as sa
from sqlalchemy.engine import Connection

VERSION = 19
DESCRIPTION = "center staff roles"


def upgrade(conn: Connection) -> None:
    for column in (
        sa.Column("role", sa.String(10), nullable=False, server_default="duty"),
        sa.Column("last_looked_at", sa.DateTime(timezone=True)),
    ):
        compiled = sa.schema.CreateColumn(column).compile(dialect=conn.dialect)
        conn.execute(sa.text(f"ALTER TABLE center_users ADD COLUMN {compiled}"))
