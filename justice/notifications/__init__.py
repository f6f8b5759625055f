"""Notifications: in-app (the bell and the list) and by email, in the recipient's language, without the details."""
