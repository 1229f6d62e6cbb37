"""wirenlp: fast text analysis for news corpora."""

from wirenlp._core import __version__

__all__ = ["__version__"]

from wirenlp.entities import EntityExtractor, entity_counts, story_similarity  # noqa: E402

__all__ += ["EntityExtractor", "entity_counts", "story_similarity"]
