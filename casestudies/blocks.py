"""StreamField blocks for the steps and resources of a case study."""

import uuid

from django.template.loader import render_to_string
from django.urls import reverse
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.rich_text import RichText, expand_db_html
from wagtail.snippets.blocks import SnippetChooserBlock

COST_BANDS = [
    ("none", "No direct cost"),
    ("under-10k", "Under USD 10,000"),
    ("10k-100k", "USD 10,000 – 100,000"),
    ("100k-1m", "USD 100,000 – 1 million"),
    ("over-1m", "Over USD 1 million"),
]


class StepTexts:
    """The texts of a story's steps, their links to pages and documents looked up together.

    Each step's text, rendered alone, would look up the pages it links to: two queries
    per step, on every first view after a publish (and again for the republishable copy).
    Expanded in one pass on first render instead, they cost two queries per story. The
    stored source is left as it is, so editing and saving a step never sees the result.
    """

    def __init__(self, sources: list[str]):
        self.sources = sources
        self._html: list[str] | None = None

    def html(self, index: int) -> str:
        if self._html is None:
            marker = f"<!--{uuid.uuid4().hex}-->"  # passes through the link rewriter as it is
            parts = expand_db_html(marker.join(self.sources)).split(marker)
            if len(parts) != len(self.sources):
                parts = [expand_db_html(source) for source in self.sources]
            self._html = parts
        return self._html[index]


class StepText(RichText):
    """A step's text, rendered from its story's ``StepTexts``."""

    def __init__(self, source: str, texts: StepTexts, index: int):
        super().__init__(source)
        self._texts, self._index = texts, index

    def __html__(self) -> str:
        html = self._texts.html(self._index)
        return render_to_string("wagtailcore/shared/richtext.html", {"html": html})


class StepBlock(blocks.StructBlock):
    """One step a company took: what, who, how long, what it cost, what went wrong."""

    heading = blocks.CharBlock(max_length=120)
    # The step in the shared vocabulary, so playbooks can compare it with peers' steps.
    kind = SnippetChooserBlock(
        "casestudies.StepKind",
        required=False,
        help_text="What this step does, in the shared list of step kinds.",
    )
    what_was_done = blocks.RichTextBlock(features=["bold", "italic", "ol", "ul", "link"])
    who_was_involved = blocks.CharBlock(
        required=False, help_text="Roles, not names: 'sourcing team, supplier HR managers'."
    )
    duration = blocks.CharBlock(required=False, max_length=80, help_text="For example '6 months'.")
    cost_band = blocks.ChoiceBlock(choices=COST_BANDS, required=False)
    pitfalls = blocks.TextBlock(required=False, help_text="What to watch out for in this step.")

    class Meta:
        icon = "list-ol"
        template = "casestudies/blocks/step.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["cost_label"] = dict(COST_BANDS).get(value.get("cost_band"), "")
        if "search_page_url" not in context:  # a story page reverses it once for all its steps
            context["search_page_url"] = reverse("search:page")
        return context

    def bulk_to_python(self, values):
        # All the steps of a story are read at once (StreamValue): their texts share one
        # look-up of the pages and documents they link to (see StepTexts).
        steps = super().bulk_to_python(values)
        texts = StepTexts([step["what_was_done"].source for step in steps])
        for index, step in enumerate(steps):
            step["what_was_done"] = StepText(step["what_was_done"].source, texts, index)
        return steps


class StepsBlock(blocks.StreamBlock):
    step = StepBlock()


class LinkBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=200)
    url = blocks.URLBlock()
    description = blocks.CharBlock(required=False, max_length=300)

    class Meta:
        icon = "link"
        template = "casestudies/blocks/link.html"


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock()
    description = blocks.CharBlock(required=False, max_length=300)

    class Meta:
        icon = "doc-full"
        template = "casestudies/blocks/document.html"


class ResourcesBlock(blocks.StreamBlock):
    link = LinkBlock()
    document = DocumentBlock()
