"""Tiers: a county or city center relaying to the center above it (``secops center upstream``).

It sits above both sides of the wire: towards the upper center it is a client like a school's
forwarder (``secops.forward``), towards its own schools it is a center (``secops.center``).
"""
