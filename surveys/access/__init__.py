"""Who may reach what: access codes and their state, scope, users, audit, privacy."""
