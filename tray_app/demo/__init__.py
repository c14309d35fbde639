"""Demo mode: a real loopback token server and a throw-away environment."""
