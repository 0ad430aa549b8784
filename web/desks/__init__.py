"""The desks of each role: liaison, coordinator (console and intake), supervisor."""
