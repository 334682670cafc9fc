"""Subscriptions: who wants what (store), which new article goes to whom (matching), and the
loop that turns new articles and due digests into outbox rows (fanout).
"""
