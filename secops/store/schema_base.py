"""What every schema module shares: one MetaData, and the column type of every stored time."""

import sqlalchemy as sa

from secops.store.utctime import UTCDateTime

metadata = sa.MetaData()
WHEN = UTCDateTime()  # aware UTC in, aware UTC out (secops.store.utctime)
