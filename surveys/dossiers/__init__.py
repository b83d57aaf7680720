"""Dossiers: the register, the working-day calendar, on time or late, apology
letters, the service indicators, and the import from provincial dossier systems."""
