"""Outlines of the demo stories: who, where, what they did and what it achieved.

Actors are always anonymous descriptions ("a global apparel brand"). Years are
relative to each story's publication date so the demo never tells of the future:
`started` is how many years before publication the work began, `ended` how many
years before publication it ended (None: ongoing). Results are
(metric slug, baseline or None, result).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CaseOutline:
    title: str
    actor: str  # first mention, indefinite: "a global apparel brand"
    co: str  # short noun used as "the {co}": "brand"
    industry: str
    region: str
    interventions: list[str]  # the first one leads the story
    stages: list[str]
    size: str
    started: int
    ended: int | None
    results: list[tuple[str, float | None, float]]
    featured: bool = False


@dataclass(frozen=True)
class BrightOutline:
    title: str
    metric: str
    value: float
    verification: str
    case_study: str | None = None  # title of the case study it links to; tags come from it
    actor: str = ""
    industry: str = ""
    region: str = ""
    interventions: list[str] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)
    size: str = "large"
    started: int = 2
    ended: int | None = 1
    baseline: float | None = None  # for standalone spots whose metric sentence needs one
    clause: str = ""  # what the company did, when the intervention's stock phrases do not fit


# fmt: off
CASE_STUDIES = [
    CaseOutline(
        "How a global apparel brand repaid recruitment fees at its spinning mills",
        "a global apparel brand", "brand", "apparel", "south-asia",
        ["employer-pays", "recruitment-agency-vetting"], ["processing", "manufacturing"],
        "very-large", 4, 2,
        [("recruitment-fees-repaid", 0, 1850000), ("workers-reached", None, 6200)],
        featured=True,
    ),
    CaseOutline(
        "Making recruitment free for migrant workers in shrimp processing",
        "a seafood processor in Southeast Asia", "processor", "seafood", "southeast-asia",
        ["employer-pays", "document-retention"], ["processing"],
        "large", 3, 1,
        [("recruitment-fees-repaid", 0, 640000), ("workers-holding-own-documents", 22, 97)],
        featured=True,
    ),
    CaseOutline(
        "Off-site interviews uncovered what years of audits had missed",
        "a consumer electronics brand", "brand", "electronics", "east-asia",
        ["independent-audits", "remediation"], ["manufacturing"],
        "very-large", 3, 1,
        [("audit-findings-remediated", 31, 88), ("workers-reached", None, 14500)],
    ),
    CaseOutline(
        "Tracing palm oil to the plantation and hearing from harvesters",
        "a food manufacturer buying palm oil", "manufacturer", "agriculture-palm-oil",
        "southeast-asia",
        ["traceability", "worker-voice"], ["raw-materials", "processing"],
        "very-large", 4, None,
        [("sites-mapped", 40, 1260), ("grievances-resolved", None, 310)],
        featured=True,
    ),
    CaseOutline(
        "Paying wages on time across a large construction project",
        "a main contractor on a large infrastructure project", "contractor", "construction",
        "middle-east",
        ["responsible-purchasing", "worker-voice"], ["manufacturing"],
        "large", 3, 1,
        [("workers-paid-on-time", 54, 96), ("grievances-resolved", None, 420)],
    ),
    CaseOutline(
        "Coaching cocoa cooperatives to find and fix forced labour",
        "a chocolate manufacturer", "manufacturer", "cocoa", "sub-saharan-africa",
        ["supplier-capacity-building", "remediation"], ["raw-materials"],
        "very-large", 5, 1,
        [("suppliers-trained", 4, 38), ("workers-reached", None, 9800)],
    ),
    CaseOutline(
        "A hotel group ends recruitment fees for its outsourced staff",
        "an international hotel group", "hotel group", "hospitality-services", "middle-east",
        ["employer-pays", "recruitment-agency-vetting"], ["retail-services"],
        "very-large", 3, 1,
        [("recruitment-fees-repaid", 0, 412000), ("average-recruitment-debt", 1450, 120)],
        featured=True,
    ),
    CaseOutline(
        "Following minerals from artisanal mines to the refinery",
        "a minerals trader", "trader", "mining-minerals", "sub-saharan-africa",
        ["traceability", "independent-audits"], ["raw-materials", "processing"],
        "large", 4, 1,
        [("sites-mapped", 12, 184), ("audit-findings-remediated", 18, 71)],
    ),
    CaseOutline(
        "Vetting the agencies that staff a warehouse network",
        "a logistics company running warehouses across Europe", "company", "logistics",
        "europe",
        ["recruitment-agency-vetting", "employer-pays"], ["logistics"],
        "large", 2, None,
        [("workers-reached", None, 5400), ("recruitment-fees-repaid", 0, 96000)],
    ),
    CaseOutline(
        "Changing buying practices to cut overtime at garment suppliers",
        "a fashion retailer", "retailer", "apparel", "south-asia",
        ["responsible-purchasing", "supplier-capacity-building"],
        ["manufacturing", "retail-services"],
        "very-large", 3, 1,
        [("average-weekly-overtime", 19, 8), ("workers-paid-on-time", 71, 98)],
    ),
    CaseOutline(
        "Giving fishing crews a voice while at sea",
        "a seafood importer", "importer", "seafood", "southeast-asia",
        ["worker-voice", "traceability"], ["raw-materials", "logistics"],
        "medium", 3, None,
        [("grievances-resolved", None, 185), ("days-to-resolve-grievance", 64, 12)],
        featured=True,
    ),
    CaseOutline(
        "Returning passports to migrant workers at component suppliers",
        "an electronics contract manufacturer", "manufacturer", "electronics",
        "southeast-asia",
        ["document-retention", "remediation"], ["manufacturing"],
        "very-large", 2, 1,
        [("workers-holding-own-documents", 8, 100), ("workers-reached", None, 3900)],
    ),
    CaseOutline(
        "Responsible recruitment for seasonal fruit harvesters",
        "a fresh produce importer", "importer", "agriculture-palm-oil", "latin-america",
        ["recruitment-agency-vetting", "worker-voice"], ["raw-materials", "logistics"],
        "medium", 3, 1,
        [("average-recruitment-debt", 380, 40), ("workers-reached", None, 2700)],
    ),
    CaseOutline(
        "Holding subcontractors to fair recruitment on building sites",
        "a construction company", "company", "construction", "europe",
        ["independent-audits", "recruitment-agency-vetting"], ["manufacturing"],
        "large", 2, 1,
        [("audit-findings-remediated", 25, 83)],
    ),
    CaseOutline(
        "Making sure a cocoa premium reaches the people who farm it",
        "a cocoa trader", "trader", "cocoa", "sub-saharan-africa",
        ["responsible-purchasing", "traceability"], ["raw-materials", "processing"],
        "large", 4, 1,
        [("workers-paid-on-time", 40, 85), ("sites-mapped", 0, 3400)],
    ),
    CaseOutline(
        "Bringing outsourced cleaners into the grievance system",
        "a facilities services company", "company", "hospitality-services", "europe",
        ["worker-voice", "supplier-capacity-building"], ["retail-services"],
        "large", 2, None,
        [("grievances-resolved", None, 96), ("suppliers-trained", 0, 24)],
    ),
    CaseOutline(
        "Ending debt at a remote mine site",
        "a mining company", "company", "mining-minerals", "latin-america",
        ["remediation", "employer-pays"], ["raw-materials"],
        "very-large", 3, 1,
        [("average-recruitment-debt", 900, 0), ("workers-reached", None, 1150)],
    ),
    CaseOutline(
        "Fair recruitment for long-haul drivers",
        "a freight and logistics company", "company", "logistics", "north-america",
        ["employer-pays", "worker-voice"], ["logistics"],
        "medium", 2, 0,
        [("recruitment-fees-repaid", 0, 210000), ("days-to-resolve-grievance", 45, 9)],
    ),
    CaseOutline(
        "Teaching footwear suppliers to recruit without brokers",
        "a footwear brand", "brand", "apparel", "east-asia",
        ["supplier-capacity-building", "recruitment-agency-vetting"], ["manufacturing"],
        "large", 3, 1,
        [("suppliers-trained", 0, 46), ("workers-reached", None, 21000)],
    ),
    CaseOutline(
        "Verifying labour conditions on tuna vessels",
        "a seafood brand sourcing tuna", "brand", "seafood", "latin-america",
        ["independent-audits", "worker-voice"], ["raw-materials"],
        "large", 3, 1,
        [("audit-findings-remediated", 35, 91), ("workers-reached", None, 2300)],
    ),
    CaseOutline(
        "Pricing responsible recruitment into electronic components",
        "a technology hardware company", "company", "electronics", "east-asia",
        ["responsible-purchasing", "employer-pays"], ["manufacturing", "processing"],
        "very-large", 2, None,
        [("recruitment-fees-repaid", 0, 2750000), ("average-weekly-overtime", 22, 11)],
        featured=True,
    ),
    CaseOutline(
        "Ending debt bondage among tea and spice farm workers",
        "a tea and spice packer", "packer", "agriculture-palm-oil", "south-asia",
        ["remediation", "supplier-capacity-building"], ["raw-materials", "processing"],
        "medium", 4, 2,
        [("workers-paid-on-time", 48, 92), ("workers-reached", None, 4600)],
    ),
    CaseOutline(
        "Returning workers' passports on a commercial building project",
        "a property developer", "developer", "construction", "middle-east",
        ["document-retention", "independent-audits"], ["manufacturing", "logistics"],
        "large", 2, 1,
        [("workers-holding-own-documents", 12, 98), ("audit-findings-remediated", 20, 76)],
    ),
    CaseOutline(
        "A grievance line for cocoa-growing communities",
        "a chocolate brand", "brand", "cocoa", "sub-saharan-africa",
        ["worker-voice", "remediation"], ["raw-materials"],
        "medium", 3, None,
        [("grievances-resolved", None, 240), ("workers-reached", None, 12800)],
    ),
    CaseOutline(
        "Vetting the agencies behind a resort's kitchen and cleaning staff",
        "a resort operator", "operator", "hospitality-services", "southeast-asia",
        ["recruitment-agency-vetting", "independent-audits"], ["retail-services"],
        "medium", 2, 1,
        [("recruitment-fees-repaid", 0, 58000), ("audit-findings-remediated", 30, 90)],
    ),
    CaseOutline(
        "Mapping mica from the mine to the pigment supplier",
        "a specialty chemicals company", "company", "mining-minerals", "south-asia",
        ["traceability", "supplier-capacity-building"], ["raw-materials", "processing"],
        "large", 4, 1,
        [("sites-mapped", 6, 320), ("suppliers-trained", 0, 58)],
    ),
    CaseOutline(
        "Paying port workers on time through direct wage transfers",
        "a port and terminal operator", "operator", "logistics", "southeast-asia",
        ["responsible-purchasing", "independent-audits"], ["logistics"],
        "large", 3, 1,
        [("workers-paid-on-time", 62, 99)],
    ),
    CaseOutline(
        "Putting right withheld wages at a garment subcontractor",
        "a mid-sized fashion brand", "brand", "apparel", "europe",
        ["remediation", "independent-audits"], ["manufacturing"],
        "medium", 2, 1,
        [("wages-repaid", 0, 185000), ("workers-reached", None, 340)],
    ),
    CaseOutline(
        "Vetting the agencies that staff a returns and repair centre",
        "an electronics retailer", "retailer", "electronics", "north-america",
        ["recruitment-agency-vetting", "worker-voice"], ["retail-services", "logistics"],
        "large", 2, None,
        [("workers-reached", None, 1800), ("grievances-resolved", None, 64)],
    ),
    CaseOutline(
        "Helping seafood processors look into their own supply",
        "a frozen seafood wholesaler", "wholesaler", "seafood", "europe",
        ["supplier-capacity-building", "traceability"], ["processing", "logistics"],
        "small", 3, 1,
        [("suppliers-trained", 0, 31), ("sites-mapped", 15, 210)],
    ),
    CaseOutline(
        "Paying sugar cane cutters in full and on time",
        "a beverage company buying sugar", "company", "agriculture-palm-oil", "latin-america",
        ["responsible-purchasing", "remediation"], ["raw-materials", "processing"],
        "very-large", 3, 1,
        [("workers-paid-on-time", 58, 94), ("wages-repaid", 0, 320000)],
    ),
    CaseOutline(
        "Ending fees for seasonal hotel workers on temporary visas",
        "a hotel management company", "company", "hospitality-services", "north-america",
        ["employer-pays", "document-retention"], ["retail-services"],
        "medium", 2, 0,
        [("recruitment-fees-repaid", 0, 150000), ("workers-holding-own-documents", 70, 100)],
    ),
]

BRIGHT_SPOTS = [
    BrightOutline(
        "USD 1.85 million in recruitment fees repaid to mill workers",
        "recruitment-fees-repaid", 1850000, "independently-audited",
        case_study="How a global apparel brand repaid recruitment fees at its spinning mills",
    ),
    BrightOutline(
        "97% of shrimp-processing workers now hold their own documents",
        "workers-holding-own-documents", 97, "second-party",
        case_study="Making recruitment free for migrant workers in shrimp processing",
    ),
    BrightOutline(
        "Construction workers paid on time, month after month",
        "workers-paid-on-time", 96, "independently-audited",
        case_study="Paying wages on time across a large construction project",
    ),
    BrightOutline(
        "Fishing crews' grievances resolved in 12 days instead of 64",
        "days-to-resolve-grievance", 12, "self-reported",
        case_study="Giving fishing crews a voice while at sea",
    ),
    BrightOutline(
        "Recruitment debt at a remote mine cut to zero",
        "average-recruitment-debt", 0, "second-party",
        case_study="Ending debt at a remote mine site",
    ),
    BrightOutline(
        "USD 2.75 million repaid as recruitment costs move into component prices",
        "recruitment-fees-repaid", 2750000, "independently-audited",
        case_study="Pricing responsible recruitment into electronic components",
    ),
    BrightOutline(
        "Every migrant worker at a component supplier holds their own passport",
        "workers-holding-own-documents", 100, "independently-audited",
        case_study="Returning passports to migrant workers at component suppliers",
    ),
    BrightOutline(
        "240 grievances resolved through a cocoa community helpline",
        "grievances-resolved", 240, "self-reported",
        case_study="A grievance line for cocoa-growing communities",
    ),
    BrightOutline(
        "Hostel workers free to come and go at fourteen spinning mills",
        "workers-reached", 5200, "second-party",
        actor="a home textiles brand", industry="apparel", region="south-asia",
        interventions=["remediation", "worker-voice"], stages=["processing"],
        size="large", started=2, ended=1,
        clause="removed curfews and locked gates at the hostels of its spinning-mill "
        "suppliers, and workers now elect their own hostel committees",
    ),
    BrightOutline(
        "Harvesters' passports back in their own hands",
        "workers-holding-own-documents", 100, "independently-audited",
        actor="a palm oil refiner", industry="agriculture-palm-oil", region="southeast-asia",
        interventions=["document-retention"], stages=["raw-materials"],
        size="very-large", started=1, ended=0, baseline=15,
    ),
    BrightOutline(
        "Agency fees refunded to warehouse pickers",
        "recruitment-fees-repaid", 48000, "self-reported",
        actor="an online retailer", industry="logistics", region="europe",
        interventions=["employer-pays"], stages=["logistics", "retail-services"],
        size="very-large", started=1, ended=0,
    ),
    BrightOutline(
        "120 component suppliers trained in responsible recruitment",
        "suppliers-trained", 120, "second-party",
        actor="a semiconductor company", industry="electronics", region="east-asia",
        interventions=["supplier-capacity-building"], stages=["manufacturing"],
        size="very-large", started=3, ended=1,
    ),
    BrightOutline(
        "Brick kiln workers paid in full for the whole season",
        "workers-paid-on-time", 95, "second-party",
        actor="a building materials buyer", industry="construction", region="south-asia",
        interventions=["responsible-purchasing", "remediation"], stages=["raw-materials"],
        size="medium", started=2, ended=1, baseline=60,
    ),
    BrightOutline(
        "A cleaning contractor stops holding passports",
        "workers-holding-own-documents", 100, "self-reported",
        actor="a facilities management firm", industry="hospitality-services",
        region="middle-east",
        interventions=["document-retention"], stages=["retail-services"],
        size="large", started=1, ended=0, baseline=0,
    ),
    BrightOutline(
        "Artisanal mine sites mapped and monitored",
        "sites-mapped", 95, "independently-audited",
        actor="a battery materials producer", industry="mining-minerals",
        region="sub-saharan-africa",
        interventions=["traceability", "independent-audits"], stages=["raw-materials"],
        size="large", started=3, ended=None,
    ),
    BrightOutline(
        "Peak-season overtime halved at a fish cannery",
        "average-weekly-overtime", 9, "self-reported",
        actor="a canned seafood brand", industry="seafood", region="south-asia",
        interventions=["responsible-purchasing"], stages=["processing"],
        size="medium", started=2, ended=1, baseline=18,
    ),
]

# fmt: on

# Invented words for the private fields (contributing company, suppliers, sites,
# people). None of them may ever appear in public text; tests check that.
PRIVATE_WORDS = [
    "Varnholt",
    "Quillmere",
    "Brackenvoss",
    "Dunmorrow",
    "Ketterwald",
    "Ollandrix",
    "Zephrinor",
    "Marrowind",
    "Tarvessa",
    "Ysselmark",
    "Grelliton",
    "Pellacourt",
    "Haskerby",
    "Fennimoor",
    "Wystandel",
    "Caldrovin",
    "Bromtheril",
    "Neshavar",
    "Oskivane",
    "Lurendo",
    "Skarpholm",
    "Vellinor",
    "Dravomir",
    "Threnwick",
    "Corvalane",
    "Ambersett",
    "Galvidor",
    "Hollisteen",
    "Orrenvale",
    "Prestavik",
    "Quorran",
    "Rindelmoor",
    "Sorvantis",
    "Tolleback",
    "Ulvestrand",
    "Wendarrow",
    "Yarrowdene",
    "Zelbourne",
    "Kivrandi",
    "Mossendral",
]
PRIVATE_GIVEN_NAMES = [
    "Amaru",
    "Ilsabet",
    "Rostevan",
    "Nerisse",
    "Oduya",
    "Talvik",
    "Seraphine",
    "Joaquiel",
]
