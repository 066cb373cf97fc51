"""The review seal: a ledger of the exact text a qualified reviewer signed.

Beside each catalog ``locales/<lang>/LC_MESSAGES/<leaflet>.po`` lives its ledger
``<leaflet>.review.toml``: one ``[[seal]]`` per signed message with its context,
English (singular and plural), translation (every form), a fingerprint of those
strings, who signed and when. Review status is derived from it, never typed:

- a message is *sealed* when it is translated, not fuzzy, and its fingerprint equals
  the one in the ledger; *changed* when the ledger has a seal for it (or, for a fuzzy
  entry msgmerge made from a changed English message, for its previous English) but
  the text differs; *never* sealed otherwise;
- a handout is reviewed when every translated message it prints is sealed;
- the ``X-Review-*`` headers are a summary that signing writes; a header that claims
  more than the ledger shows is an error (`leaflets check`, `leaflets review check`).

Fingerprints depend on the parsed strings only, so re-wrapping, re-ordering and
comment or reference changes (msgcat, msgmerge, Poedit, Weblate) keep a seal, and any
change to the English or the translation breaks it.

A seal is a record kept in version control, not a cryptographic signature: anyone
who can write to the repository can write a ledger. Git history is the audit trail.

The package, in layers: ``ledger`` (the file and its fingerprints), ``status`` (derived
status), ``problems`` (`review check` and `review sync`), ``sign``, ``diff``, ``xliff``
(export and import). Everything but ``xliff`` is re-exported here: ``from leaflets import
review``. XLIFF needs translate-toolkit and lxml, slow to import and needed by the review
commands only, while rendering and batches import this package for review status:
import ``leaflets.review.xliff`` itself.
"""

from __future__ import annotations

from .diff import changed_messages, format_diff
from .ledger import (
    LEDGER_FORMAT,
    LEDGER_SUFFIX,
    Key,
    Seal,
    fingerprint,
    ledger_path,
    read_ledger,
    render_ledger,
)
from .problems import (
    change_problems,
    check_reviews,
    claim_problems,
    file_claim_problems,
    sync_headers,
)
from .sign import SignResult, parse_date, sign
from .status import (
    CHANGED,
    NEVER,
    REVIEW_SEALED,
    SEALED,
    STATES,
    CatalogReview,
    Message,
    MessageReview,
    catalog_path,
    catalog_review,
    classify,
    handout_review,
    language_status,
    project_reviews,
    variant_keys,
    variant_reviews,
)

__all__ = [
    "CHANGED",
    "LEDGER_FORMAT",
    "LEDGER_SUFFIX",
    "NEVER",
    "REVIEW_SEALED",
    "SEALED",
    "STATES",
    "CatalogReview",
    "Key",
    "Message",
    "MessageReview",
    "Seal",
    "SignResult",
    "catalog_path",
    "catalog_review",
    "change_problems",
    "changed_messages",
    "check_reviews",
    "claim_problems",
    "classify",
    "file_claim_problems",
    "fingerprint",
    "format_diff",
    "handout_review",
    "language_status",
    "ledger_path",
    "parse_date",
    "project_reviews",
    "read_ledger",
    "render_ledger",
    "sign",
    "sync_headers",
    "variant_keys",
    "variant_reviews",
]
