"""The administrative tree: units, their counters and officials, and their imports."""
