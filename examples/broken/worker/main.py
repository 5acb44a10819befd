import fal


class Worker(fal.App):
    @fal.endpoint("/")
    def work(self, job: str) -> dict:
        return {"done": job}
