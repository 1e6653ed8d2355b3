"""Data encryption with the national algorithms: SM2 key wrapping, SM4 content encryption, SM3 integrity."""
