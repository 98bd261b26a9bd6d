"""The Whoosh analyzer of the schema: search.analysis's chain as a Whoosh tokenizer (only indexing imports Whoosh)."""
from __future__ import annotations

from whoosh.analysis import Token, Tokenizer

from search.analysis import WORD_RE, term_for


class ArticleTokenizer(Tokenizer):
    """A Whoosh tokenizer that runs the whole analysis and yields stems."""

    def __eq__(self, other):
        return type(self) is type(other)

    def has_morph(self):
        return True

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for m in WORD_RE.finditer(value):
            text = term_for(m.group())
            if text is None:
                continue
            token.text, token.boost, token.stopped = text, 1.0, False
            if keeporiginal:
                token.original = m.group()
            if positions:
                token.pos = pos
                pos += 1
            if chars:
                token.startchar, token.endchar = start_char + m.start(), start_char + m.end()
            yield token


ANALYZER = ArticleTokenizer()
