"""The payments domain, without I/O: money, channel notification verifiers, merchant
apps and their notifications, and simulators of the outside parties for tests and demos.

- ``money``: ``Money`` in integer minor units, exact major-unit text parsing.
- ``channels``: Alipay (RSA2), WeChat Pay v3 (RSA + AES-256-GCM) and a generic
  HMAC-signed JSON channel; each turns a raw request into a ``ChannelNotification``.
- ``checks``: a verified notification against the registered order.
- ``merchant``: merchant app config and the notifications ringback sends them.
- ``simulator``: Alipay, WeChat Pay and merchant stand-ins speaking the real protocols.

Wired on top, with I/O:

- ``config`` / ``channel_config``: the ``[payments]`` section, keys read at start.
- ``service.PaymentsService``: orders, channel intake (``channel_intake``), status
  queries and resending (``resend``), over the core store's records and jobs
  (``repository``, ``audit``, ``merchant_job``, ``group_commit``).
- ``demo_keys``: the keys ``ringback demo payments`` plays the channels with.
"""
