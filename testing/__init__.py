"""Fakes and stack helpers that tests/ and bench/ share: the fake Telegram and Twilio APIs
(`telegram_api`, `twilio_api`, `media`), the channels mounted in a real server in front of them
(`harness`), and the case-store helpers (`case_support`). Never imported by production code."""
