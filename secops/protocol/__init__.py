"""What school and center agree on: request signing, the alert's severity scale and id, the
compliance summary. Both sides of the wire import it (``secops.forward`` at the school or lower
center, ``secops.center`` at the server), so neither imports the other.

Foundation: it imports no feature and neither side.
"""
