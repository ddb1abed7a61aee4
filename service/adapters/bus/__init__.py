"""Live notifications: an in-process bus, fed across processes by MongoDB change streams."""
