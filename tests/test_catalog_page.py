import os

import keras_acts
from scripts import catalog_page

PAGE = os.path.join(os.path.dirname(__file__), "..", "docs", "catalog.md")


def test_catalog_page_is_generated_from_the_registry():
    with open(PAGE) as f:
        committed = f.read()
    assert committed == catalog_page.render(), (
        "docs/catalog.md is stale: run python -m scripts.catalog_page > docs/catalog.md"
    )


def test_catalog_page_lists_every_activation():
    page = catalog_page.render()
    for spec in keras_acts.catalog():
        if spec.package == "keras_acts":
            assert f"`{spec.layer_name}`" in page
            for string in spec.strings:
                assert f"`{string}`" in page
