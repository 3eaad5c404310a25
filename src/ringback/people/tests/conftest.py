"""What these view tests share: a frozen clock, a seller in New York, a signed-in client."""

from ringback.testing.sellers import NOW, account, client, frozen_clock, make_account, signed_in

__all__ = ["NOW", "account", "client", "frozen_clock", "make_account", "signed_in"]
