"""Notifications: users' channels (`channels`), the outbox every event goes through
(`outbox.notify`, written in the caller's transaction), and the dispatcher that delivers it
with retries (`dispatcher`). Nothing that trades ever sends: bots write their journal, the
supervisor turns it into outbox rows, a dispatcher thread sends them."""
