"""Who listens to which event: the handler registry.

Each app registers its handlers in its AppConfig.ready(), so web, worker and beat
processes all hold the same registry. Only the worker reads it (when it hands an event
out), never the emitting process: an event is delivered whatever that process imported.

A handler's key is stored on its delivery rows, so it must stay stable across deploys:
name it after what it does (`finance.house_brand_paid`), not after where the code lives.
"""

from collections.abc import Callable

Handler = Callable[..., None]

# event name -> {handler key -> handler}
_registry: dict[str, dict[str, Handler]] = {}


def register(name: str, handler: Handler, *, key: str = "") -> Handler:
    """Deliver every `name` event to `handler(event)`, recorded under `key`.

    Registering a key again replaces its handler (a reloaded module), never doubles it.
    """
    from crm.event_catalogue import CATALOGUE  # the catalogue knows no handler

    if name not in CATALOGUE:
        raise LookupError(f"No event named {name!r} in crm/event_catalogue.py.")
    key = key or f"{handler.__module__}.{handler.__qualname__}"
    _registry.setdefault(name, {})[key] = handler
    return handler


def on(name: str, *, key: str = "") -> Callable[[Handler], Handler]:
    """Decorator form of `register`: `@events.on("job.status_changed", key="...")`."""

    def decorate(handler: Handler) -> Handler:
        return register(name, handler, key=key)

    return decorate


def keys_for(name: str) -> list[str]:
    return list(_registry.get(name, {}))


def handler_for(name: str, key: str) -> Handler | None:
    return _registry.get(name, {}).get(key)
