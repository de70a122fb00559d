"""The durable delivery engine under every channel, platform-blind (it imports no adapter).

- `store`: the channels' tables (addresses, processed updates, media, delivery status, inbox)
  and the thread pool their queries run on; `inbox`, `group_commit`: a message kept (and its
  delivery id claimed) in one transaction before the webhook is answered, many webhooks
  committed together; `queues`: one queue per sender, in arrival order.
- `collector`: the replies of one Rasa turn; `tracker_view`: what the channels read from Rasa's
  tracker store (the conversation's language, whether a message was already answered).
- `retry`: the retry policy for the platforms' APIs; `result`: DeliveryResult, what every
  sender answers.
"""
