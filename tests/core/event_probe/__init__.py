"""An app only the real-worker test's worker installs: it registers a handler the
emitting (test) process never knows, and records each delivery in a file."""
