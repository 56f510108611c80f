"""The shared vocabularies the demo stories are tagged with.

Slugs are public (search facets, feeds, URLs), so they are the keys that make
loading idempotent.
"""

# slug, name, description, palette (gradient from, gradient to, accent), palette in words
INDUSTRIES = [
    {
        "slug": "apparel",
        "name": "Apparel & footwear",
        "description": "Garments, footwear and textiles, from cotton and spinning mills to "
        "cut-and-sew factories and retail.",
        "palette": ((32, 42, 99), (22, 122, 128), (240, 128, 96)),
        "colours": "indigo, teal and coral",
    },
    {
        "slug": "seafood",
        "name": "Seafood",
        "description": "Wild-caught and farmed fish and shellfish: vessels, ports, processing "
        "and the feed made from fish.",
        "palette": ((8, 48, 84), (24, 130, 170), (250, 214, 120)),
        "colours": "deep sea blue, turquoise and sand yellow",
    },
    {
        "slug": "electronics",
        "name": "Electronics",
        "description": "Consumer electronics and components: assembly plants, component "
        "makers and the agencies that staff them.",
        "palette": ((30, 30, 46), (76, 60, 150), (90, 220, 200)),
        "colours": "graphite, violet and mint",
    },
    {
        "slug": "agriculture-palm-oil",
        "name": "Agriculture & palm oil",
        "description": "Plantations, farms and mills: palm oil, sugar, fruit, tea and spices, "
        "often harvested by seasonal and migrant workers.",
        "palette": ((36, 84, 44), (150, 170, 60), (245, 180, 60)),
        "colours": "leaf green, olive and sunflower yellow",
    },
    {
        "slug": "construction",
        "name": "Construction",
        "description": "Building and infrastructure projects and the building materials they "
        "use, delivered through long chains of subcontractors.",
        "palette": ((70, 64, 60), (200, 120, 50), (250, 210, 90)),
        "colours": "concrete grey, brick orange and safety yellow",
    },
    {
        "slug": "cocoa",
        "name": "Cocoa",
        "description": "Cocoa farms, cooperatives, traders and grinders supplying chocolate "
        "and food manufacturers.",
        "palette": ((62, 34, 24), (150, 86, 50), (236, 196, 150)),
        "colours": "dark chocolate, cocoa brown and cream",
    },
    {
        "slug": "hospitality-services",
        "name": "Hospitality & services",
        "description": "Hotels, facilities management and outsourced services: cleaning, "
        "catering, security and maintenance.",
        "palette": ((90, 30, 70), (200, 80, 110), (250, 220, 200)),
        "colours": "plum, raspberry and blush",
    },
    {
        "slug": "mining-minerals",
        "name": "Mining & minerals",
        "description": "Industrial and artisanal mining, smelters and refiners of metals and "
        "minerals such as cobalt, tin, mica and gold.",
        "palette": ((40, 44, 52), (120, 96, 70), (210, 170, 80)),
        "colours": "slate, umber and ochre",
    },
    {
        "slug": "logistics",
        "name": "Logistics & transport",
        "description": "Warehousing, road freight, ports and shipping: the links between "
        "every other stage.",
        "palette": ((20, 60, 70), (40, 150, 120), (250, 150, 60)),
        "colours": "petrol, green and signal orange",
    },
]

INTERVENTIONS = [
    {
        "slug": "employer-pays",
        "name": "Ending recruitment fees (employer pays)",
        "description": "Workers should not pay for their jobs. Under the employer-pays "
        "principle the employer bears all recruitment fees and related costs (agency fees, "
        "visas, medical checks, travel) and repays workers who were charged.",
    },
    {
        "slug": "worker-voice",
        "name": "Worker voice and grievance mechanisms",
        "description": "Channels workers trust for raising concerns (helplines, elected "
        "committees, messaging apps) and a process that resolves grievances without "
        "retaliation, meeting the UN Guiding Principles' effectiveness criteria.",
    },
    {
        "slug": "independent-audits",
        "name": "Independent audits and verification",
        "description": "Checks by a party the company does not control, designed to find "
        "forced labour rather than tick boxes: unannounced visits, off-site worker "
        "interviews, payroll reconciliation and verification that problems were fixed.",
    },
    {
        "slug": "responsible-purchasing",
        "name": "Responsible purchasing practices",
        "description": "A buyer's own prices, lead times, order changes and payment terms can "
        "push suppliers towards excessive overtime and risky recruitment. Responsible "
        "purchasing means costing labour properly, planning orders and paying on time.",
    },
    {
        "slug": "supplier-capacity-building",
        "name": "Supplier capacity building",
        "description": "Training, coaching and practical tools that help suppliers' managers "
        "recruit responsibly, plan working hours, keep proper records and handle grievances "
        "themselves, instead of relying on the buyer's audits.",
    },
    {
        "slug": "remediation",
        "name": "Remediation",
        "description": "Putting things right for the people affected when forced labour is "
        "found: repaying fees and wages, returning documents, supporting a change of "
        "employer or a safe return, and fixing the root cause, led by workers' needs.",
    },
    {
        "slug": "recruitment-agency-vetting",
        "name": "Responsible recruitment agency vetting",
        "description": "Choosing and monitoring the labour agencies that recruit workers in "
        "both sending and receiving countries (licences, fee practices, contracts, treatment "
        "of workers) and moving to short lists of approved agencies.",
    },
    {
        "slug": "traceability",
        "name": "Supply-chain mapping and traceability",
        "description": "Knowing who produces what, where and under what conditions beyond the "
        "first tier, so that risk assessment and action reach the places where forced labour "
        "is most likely.",
    },
    {
        "slug": "document-retention",
        "name": "Ending retention of identity documents",
        "description": "Workers keep their own passports and identity documents. Employers "
        "and agencies do not hold them 'for safekeeping'; workers who want secure storage "
        "get lockers only they can open.",
    },
]

STAGES = [
    {
        "slug": "raw-materials",
        "name": "Raw materials",
        "position": 1,
        "description": "Farms, fishing vessels, mines and plantations where raw materials are "
        "grown, caught or extracted.",
    },
    {
        "slug": "processing",
        "name": "Processing",
        "position": 2,
        "description": "Mills, smelters, peeling sheds and plants that turn raw materials "
        "into inputs.",
    },
    {
        "slug": "manufacturing",
        "name": "Manufacturing",
        "position": 3,
        "description": "Factories, assembly plants and construction sites where products "
        "and buildings are made.",
    },
    {
        "slug": "logistics",
        "name": "Logistics",
        "position": 4,
        "description": "Warehouses, ports, shipping and road freight moving goods between stages.",
    },
    {
        "slug": "retail-services",
        "name": "Retail & services",
        "position": 5,
        "description": "Shops, hotels, offices and the outsourced services (cleaning, "
        "catering, security) that keep them running.",
    },
]

REGIONS = [
    {"slug": "south-asia", "name": "South Asia"},
    {"slug": "southeast-asia", "name": "Southeast Asia"},
    {"slug": "east-asia", "name": "East Asia"},
    {"slug": "middle-east", "name": "Middle East & Gulf"},
    {"slug": "sub-saharan-africa", "name": "Sub-Saharan Africa"},
    {"slug": "latin-america", "name": "Latin America & Caribbean"},
    {"slug": "europe", "name": "Europe"},
    {"slug": "north-america", "name": "North America"},
]

# `phrase` turns a result into a clause for summaries and bright spots:
# {b} is the baseline, {r} the result (both already formatted).
METRICS = [
    {
        "slug": "recruitment-fees-repaid",
        "name": "Recruitment fees repaid",
        "unit": "USD",
        "counts": "Recruitment fees and related costs (agency fees, visas, medical checks, "
        "travel, interest on loans) repaid to workers who had paid them.",
        "higher_is_better": True,
        "framework": "ILO forced labour indicator: debt bondage; ILO General Principles for "
        "Fair Recruitment",
        "phrase": "USD {r} in recruitment fees was repaid to workers",
        "note": "Includes interest on loans workers took out to pay the fees.",
    },
    {
        "slug": "wages-repaid",
        "name": "Withheld wages repaid",
        "unit": "USD",
        "counts": "Wages, overtime premiums and unlawful deductions that had been withheld "
        "and were paid back to workers.",
        "higher_is_better": True,
        "framework": "ILO forced labour indicator: withholding of wages",
        "phrase": "USD {r} in withheld wages was paid back to workers",
        "note": "Paid into bank accounts the workers control.",
    },
    {
        "slug": "workers-reached",
        "name": "Workers reached",
        "unit": "workers",
        "counts": "Workers at the sites covered by the intervention, counted once each.",
        "higher_is_better": True,
        "framework": "GRI 409-1",
        "phrase": "the work reached {r} workers",
        "note": "Headcount at the sites covered at the end of the period.",
    },
    {
        "slug": "grievances-resolved",
        "name": "Grievances resolved",
        "unit": "grievances",
        "counts": "Grievances raised through the mechanism and closed with an outcome the "
        "worker accepted.",
        "higher_is_better": True,
        "framework": "UN Guiding Principles, principle 31 (effectiveness criteria)",
        "phrase": "{r} grievances were resolved with an outcome the worker accepted",
        "note": "Counted when the worker confirmed the outcome.",
    },
    {
        "slug": "days-to-resolve-grievance",
        "name": "Days to resolve a grievance",
        "unit": "days",
        "counts": "Median number of days between a grievance being raised and the worker "
        "accepting its outcome.",
        "higher_is_better": False,
        "framework": "UN Guiding Principles, principle 31 (effectiveness criteria)",
        "phrase": "the median time to resolve a grievance fell from {b} to {r} days",
        "note": "",
    },
    {
        "slug": "audit-findings-remediated",
        "name": "Audit findings remediated",
        "unit": "%",
        "counts": "Share of forced-labour related audit findings that were fixed and verified "
        "with workers, out of all such findings.",
        "higher_is_better": True,
        "framework": "GRI 414-2",
        "phrase": "{r}% of forced-labour audit findings were fixed and verified",
        "note": "A finding counts only once a verifier has checked the fix with workers.",
    },
    {
        "slug": "workers-holding-own-documents",
        "name": "Workers holding their own identity documents",
        "unit": "%",
        "counts": "Share of workers who hold their own passport and work permit, or keep them "
        "in storage only they can open.",
        "higher_is_better": True,
        "framework": "ILO forced labour indicator: retention of identity documents",
        "phrase": "the share of workers holding their own documents rose from {b}% to {r}%",
        "note": "Checked by interview, not by the employer's register.",
    },
    {
        "slug": "suppliers-trained",
        "name": "Suppliers trained",
        "unit": "suppliers",
        "counts": "Suppliers whose decision-makers completed the training and at least one "
        "follow-up coaching visit.",
        "higher_is_better": True,
        "framework": "OECD Due Diligence Guidance for Responsible Business Conduct, step 3",
        "phrase": "{r} suppliers completed training and follow-up coaching",
        "note": "",
    },
    {
        "slug": "workers-paid-on-time",
        "name": "Workers paid in full and on time",
        "unit": "%",
        "counts": "Share of workers whose wages, including overtime premiums, were paid in "
        "full by the legal or contractual pay date.",
        "higher_is_better": True,
        "framework": "ILO forced labour indicator: withholding of wages; GRI 409-1",
        "phrase": "the share of workers paid in full and on time rose from {b}% to {r}%",
        "note": "Checked against bank transfers, not payroll alone.",
    },
    {
        "slug": "average-weekly-overtime",
        "name": "Average weekly overtime",
        "unit": "hours",
        "counts": "Average overtime hours per worker per week in the peak season.",
        "higher_is_better": False,
        "framework": "ILO forced labour indicator: excessive overtime",
        "phrase": "average weekly overtime in the peak season fell from {b} to {r} hours",
        "note": "Peak-season weeks only.",
    },
    {
        "slug": "average-recruitment-debt",
        "name": "Average recruitment debt",
        "unit": "USD",
        "counts": "Average debt a worker still owed for recruitment costs (to agents, lenders "
        "or the employer) at the time of the survey.",
        "higher_is_better": False,
        "framework": "ILO forced labour indicator: debt bondage",
        "phrase": "average recruitment debt per worker fell from USD {b} to USD {r}",
        "note": "From confidential worker surveys.",
    },
    {
        "slug": "sites-mapped",
        "name": "Supply-chain sites mapped",
        "unit": "sites",
        "counts": "Sites beyond the first tier (farms, vessels, mines, mills, sub-suppliers) "
        "identified and assessed for forced-labour risk.",
        "higher_is_better": True,
        "framework": "OECD Due Diligence Guidance for Responsible Business Conduct, step 2",
        "phrase": "{r} sites beyond the first tier were mapped and assessed",
        "note": "",
    },
]
