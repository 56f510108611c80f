"""StreamField blocks for the steps and resources of a case study."""

from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

COST_BANDS = [
    ("none", "No direct cost"),
    ("under-10k", "Under USD 10,000"),
    ("10k-100k", "USD 10,000 – 100,000"),
    ("100k-1m", "USD 100,000 – 1 million"),
    ("over-1m", "Over USD 1 million"),
]


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
        return context


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
