"""Sealing student data files with the national algorithms (SM2 key wrapping, SM3, SM4-GCM)."""
