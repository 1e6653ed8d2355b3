"""The school (or lower center) side of the wire: the durable outbox, the sync client that sends
its alerts and compliance summary to the center above, signed (heartbeats and pulls from the
center belong here too).

It speaks to ``secops.center`` only over HTTP, through ``secops.protocol``; it never imports it.
"""
