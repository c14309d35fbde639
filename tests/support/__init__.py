"""Test support: loopback token server, keyrings, desktop helpers."""
