"""Delivery: the durable outbox, the worker that drains it under platform limits, and the
bot-side database tables and migrations (subscriptions and schedules keep their state here too).
"""
