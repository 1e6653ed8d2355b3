"""Leak-tracing watermarks for student tables (Agrawal–Kiernan / Li–Swarup–Jajodia style).

A keyed PRF over each row's stable identity (never its position) picks about one cell in
``gamma`` of each carrier column (non-identifying numbers and dates), a fingerprint position and
a mask bit; the least significant digit's parity (a day's or second's parity for dates) is set to
the recipient's fingerprint bit XOR the mask. Detection recomputes the selection on a suspect
copy, counts how many observed bits agree with each recipient in the release ledger, and names
one only when the binomial tail under "unmarked" is negligible and it clearly beats every other.
"""
