"""Responses kept: recording, answers, drafts, tallies, frames for analysis."""
