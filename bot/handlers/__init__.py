"""Thin update handlers: parse the update, call the engine or render, send. Wired in bot/app.py."""
