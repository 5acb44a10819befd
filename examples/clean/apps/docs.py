"""A small app served from a custom container."""

from fal import App, endpoint


class Docs(App):
    @endpoint("/")
    def index(self) -> dict:
        return {"docs": "ok"}
