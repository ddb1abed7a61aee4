"""Webhooks: managing subscriptions, turning flagged executions into deliveries, sending them."""
