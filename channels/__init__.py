"""Messaging channels: everything that knows Telegram's or Twilio's wire format, and the local
web chat (channels/webchat/). The durable engine under them (inbox, queues, tables, retries) is
delivery/, which imports none of them.

Input channels for Rasa (credentials.yml keys):   channels.telegram.TelegramInput,
                                                  channels.whatsapp.WhatsAppInput
Sending from elsewhere (caseworker console):       channels.outbound.send_to_conversation
Routing inbound messages to an open case:          channels.hooks.INBOUND_HOOKS
What was sent while answering (for a case):        channels.hooks.OUTBOUND_HOOKS
Which channels are configured / credentials file:  channels.config.enabled_channels,
                                                  channels.config.write_credentials
Menu buttons (signed ids of menu and option):      channels.menu_token; WhatsApp buttons / lists:
                                                  channels.whatsapp_content (`python -m bot
                                                  whatsapp sync-content`); campaign links:
                                                  channels.campaign
Tables (migrations/versions/0002_channels.py):     processed_updates, channel_addresses,
                                                  channel_media, delivery_status (delivery/store.py)
"""
