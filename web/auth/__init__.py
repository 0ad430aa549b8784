"""Signing in: bearer tokens for the API, the session for pages."""
