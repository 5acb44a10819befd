import fal


class Web(fal.App):
    def index(self) -> dict:  # no @fal.endpoint: fal finds no route
        return {}
