"""Hostile input: bombs, fuzz, slow clients, forged requests; each case with its time and memory bound."""
