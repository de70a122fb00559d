"""The caseworker web console (aiohttp): `python -m console`, or `console.app.create_app`."""
