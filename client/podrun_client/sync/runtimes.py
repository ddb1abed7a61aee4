from .base_model import BaseModel


class Runtimes(BaseModel):
    runtimes: list["RuntimesRuntimes"]


class RuntimesRuntimes(BaseModel):
    id: str
    language: str
    version: str
    default: bool


Runtimes.model_rebuild()
