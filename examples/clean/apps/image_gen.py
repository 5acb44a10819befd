"""An image generation app (fallint only parses this file; it never runs it)."""

import fal
from pydantic import BaseModel


class Prompt(BaseModel):
    text: str


class ImageGen(fal.App):
    machine_type = "GPU-A100"
    requirements = ["diffusers==0.30.0", "torch==2.4.1"]

    def setup(self) -> None:
        self.ready = True

    @fal.endpoint("/")
    def generate(self, prompt: Prompt) -> dict:
        return {"prompt": prompt.text}

    @fal.endpoint("/health")
    def health(self) -> dict:
        return {"ok": True}
