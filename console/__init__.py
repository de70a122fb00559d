"""The caseworker web console (aiohttp): `python -m bot.console_server`, or `console.app.create_app`."""
