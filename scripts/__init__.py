"""Generators of the repository's docs pages, outside the package (not in
the wheel). Run them from the repository root, as modules:

    python -m scripts.catalog_page > docs/catalog.md
    python -m scripts.porting_page > docs/porting.md
    python -m scripts.deploy_page docs/deploy.md

They use the package's public API and the command's modules
(``keras_acts.tools``), nothing else of the package (tests/test_layout.py).
"""
