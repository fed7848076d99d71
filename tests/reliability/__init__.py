"""Reliability and security: faults survived, bad input refused, nothing leaked (issue 8)."""
