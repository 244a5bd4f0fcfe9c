"""The top floor: what wires the organs together into the service people run.

* :mod:`service.night` — the nightly pipeline (ingest → quality → identities → conflicts →
  report), all or nothing, one at a time, idempotent;
* :mod:`service.transcripts` — issuing and signing transcripts, shared by the CLI and the API;
* :mod:`service.cli` and :mod:`service.api` — adapters: parse, call a service, present;
* :mod:`service.config` — every setting and ``DOISOAT_*`` variable in one place.

It imports the organs (``connectors``, ``reconcile``, ``reports``, ``signing``) and the ground
floor (``doisoat``); nothing imports it. The import-linter contracts in ``pyproject.toml`` keep
it so.
"""
