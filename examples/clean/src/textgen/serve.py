import fal


class TextGen(fal.App):
    @fal.endpoint("/")
    def complete(self, prompt: str) -> dict:
        return {"completion": prompt[::-1]}
