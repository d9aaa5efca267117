class DomainError(Exception):
    """A business rule refused an action; `message` is a plain sentence fit for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
