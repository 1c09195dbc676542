"""Which page a row opens and which form ``c`` opens, by name.

A ``ResourceView`` names what enter on its rows opens (``opens``) and what
``c`` creates (``creates``); each service's ``pages.py`` maps its names to its
screens, imported only when first used so the first frame stays cheap.
"""

from __future__ import annotations

from computetui.ui.screens.opening import FormOpener, PageMaker
from computetui.ui.services.apigateway import pages as apigateway
from computetui.ui.services.batch import pages as batch
from computetui.ui.services.ecr import pages as ecr
from computetui.ui.services.ecs import pages as ecs
from computetui.ui.services.lambda_ import pages as lambda_
from computetui.ui.services.lightsail import pages as lightsail

RESOURCE_PAGES: dict[str, PageMaker] = {**lambda_.PAGES, **ecr.PAGES, **ecs.PAGES, **batch.PAGES,
                                         **lightsail.PAGES, **apigateway.PAGES}
"""``ResourceView.opens`` -> the screen for one row; ``json`` (the default) is not here."""

CREATE_FORMS: dict[str, FormOpener] = {**lambda_.FORMS, **ecr.FORMS, **ecs.FORMS, **batch.FORMS,
                                        **lightsail.FORMS, **apigateway.FORMS}
"""``ResourceView.creates`` -> opens the form (a modal whose result is handled here)."""
