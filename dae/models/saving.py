"""``model.save(path)`` and ``Model.load(path)``: the one model file (``dae.save_model`` /
``dae.load_model``) as methods, for every model class that inherits them."""


class ModelFileMethods:
    def save(self, path):
        """Write this model to ``path`` in the one dae model file (``dae.save_model``)."""
        from ..model_files import save_model

        return save_model(self, path)

    @classmethod
    def load(cls, path):
        """The model in ``path`` (``dae.load_model``), checked to be one of this class."""
        from ..model_files import load_model

        model = load_model(path)
        if not isinstance(model, cls):
            raise ValueError(f"{path} holds a {type(model).__name__}, not a {cls.__name__}")
        return model
