"""The shared content layer: sources in, stored, summarized and tagged articles out.

Nothing here knows about chats; `bot` builds on it, never the other way round.
"""
