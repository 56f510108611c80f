"""Hand-written text fragments the demo stories are composed from.

Placeholders: {actor} (first mention, "a global apparel brand"), {co} (short
noun, "brand", used as "the {co}"), {workers}, {suppliers}, {sites}.
Everything here is public text: no company, brand, site or person names.
"""

# Per industry: how its people and places are called, and what made the work hard.
INDUSTRY_TEXT = {
    "apparel": {
        "workers": "garment workers",
        "suppliers": "garment suppliers",
        "sites": "spinning mills and cut-and-sew factories",
        "context": [
            "Garment production runs on short lead times and thin margins. When orders "
            "spike, factories lean on migrant workers hired through chains of agents, and on "
            "subcontractors the buyer never sees.",
            "Spinning mills and dyehouses sit below the factories a brand usually audits. "
            "Workers there, many of them young women housed in company hostels, had little "
            "say over their hours and could not leave the premises freely.",
            "Footwear and garment assembly is labour-intensive and seasonal. Peak-season "
            "hiring pushed suppliers to recruit through agents in distant districts, and "
            "workers arrived owing money before their first shift.",
        ],
    },
    "seafood": {
        "workers": "fishers and processing workers",
        "suppliers": "processors and vessel owners",
        "sites": "vessels, ports and peeling sheds",
        "context": [
            "Fishing crews spend months at sea beyond the reach of labour inspectors. "
            "Transhipment at sea means a vessel may not touch port for a year, and crew "
            "contracts are often signed in a language the crew cannot read.",
            "Shrimp peeling and fish processing rely on migrant workers from neighbouring "
            "countries, recruited by brokers whose fees take a year or more of wages to repay.",
            "The catch passes through brokers, cold stores and processors before it reaches "
            "a buyer, and each step blurs where, and by whom, it was caught.",
        ],
    },
    "electronics": {
        "workers": "production-line workers",
        "suppliers": "component suppliers",
        "sites": "assembly plants and component factories",
        "context": [
            "Electronics assembly depends on large numbers of foreign contract workers hired "
            "for two- or three-year terms. Recruitment fees paid in the home country are "
            "commonly worth several months of wages.",
            "Component makers two or three tiers down the chain hire through dispatch "
            "agencies. The code of conduct reached direct suppliers, but rarely the agencies "
            "that actually employed the workers.",
            "Workers lived in employer-controlled dormitories and had handed over their "
            "passports 'for safekeeping'. Few could say where their documents were kept.",
        ],
    },
    "agriculture-palm-oil": {
        "workers": "plantation and farm workers",
        "suppliers": "growers and mills",
        "sites": "plantations, smallholder farms and mills",
        "context": [
            "Plantation work is seasonal, remote and often paid by piece rate. Harvesters "
            "brought family members to help meet quotas, and workers without papers feared "
            "losing their jobs if they complained.",
            "Produce from hundreds of smallholders and estates is mixed at the mill, so a "
            "buyer rarely knows on whose land it was harvested, or by whom.",
            "Farm labour contractors recruited workers for the harvest, advanced them money "
            "for travel and food, and deducted the debt from wages at rates no one had agreed.",
        ],
    },
    "construction": {
        "workers": "construction workers",
        "suppliers": "subcontractors and labour suppliers",
        "sites": "building sites and labour camps",
        "context": [
            "Large projects are delivered through long chains of subcontractors. The main "
            "contractor had policies; the labour-supply companies at the bottom of the chain "
            "set the real conditions.",
            "Migrant construction workers arrive on employer-tied visas. Changing jobs "
            "requires the employer's permission, and wage delays of several months were "
            "common on site.",
            "Workers lived in camps run by subcontractors, far from town and without "
            "transport of their own, and depended on their employer for food and water.",
        ],
    },
    "cocoa": {
        "workers": "cocoa farmers and farm workers",
        "suppliers": "cooperatives and traders",
        "sites": "cocoa farms and cooperatives",
        "context": [
            "Most cocoa is grown on small family farms that earn well below a living income. "
            "Hired labourers, some of them migrants from neighbouring countries, work under "
            "sharecropping arrangements that can leave them in debt to the farm owner.",
            "Cocoa passes from farms to local buyers, cooperatives and exporters before it "
            "reaches a manufacturer. Traceability used to end at the cooperative's warehouse.",
        ],
    },
    "hospitality-services": {
        "workers": "cleaning, catering and security staff",
        "suppliers": "service contractors",
        "sites": "hotels, offices and outsourced service sites",
        "context": [
            "Cleaning, catering and security are outsourced to contractors, who in turn hire "
            "through agencies. The people working in a hotel's kitchens were often employed "
            "three companies away from the hotel itself.",
            "Outsourced staff recruited abroad had paid agencies for their jobs, then worked "
            "long hours on contracts that tied their visa to the contractor.",
        ],
    },
    "mining-minerals": {
        "workers": "mine workers",
        "suppliers": "smelters, refiners and mine operators",
        "sites": "mine sites, smelters and refiners",
        "context": [
            "Minerals from artisanal mines are traded through intermediaries and mixed at "
            "smelters with ore from industrial mines. Downstream buyers saw only the refiner.",
            "Workers at remote sites depended on the operator for food, housing and "
            "transport, and advances against wages turned into debts that kept them there.",
        ],
    },
    "logistics": {
        "workers": "drivers, warehouse and port workers",
        "suppliers": "transport and warehousing contractors",
        "sites": "warehouses, depots and ports",
        "context": [
            "Warehouses absorb seasonal peaks with agency staff. Some agencies charged "
            "workers for the job, their housing and their transport, and deducted the costs "
            "from pay.",
            "Long-haul drivers recruited from abroad were paid per trip, lived in their cabs "
            "for weeks and had no one to call when wages were withheld.",
        ],
    },
}

# Per region: the recruitment pattern that shaped the risk.
REGION_TEXT = {
    "south-asia": "Many workers had migrated from poorer districts within the country, "
    "recruited by village-level agents who were paid by the head.",
    "southeast-asia": "Most workers came from neighbouring countries through licensed and "
    "unlicensed brokers, and paid fees on both sides of the border.",
    "east-asia": "Workers came from across the region on fixed-term contracts, having paid "
    "agencies at home and brokers on arrival.",
    "middle-east": "Workers came from South and Southeast Asia on employer-sponsored visas "
    "that tied them to a single employer.",
    "sub-saharan-africa": "Workers moved between neighbouring countries for seasonal work, "
    "usually without written contracts.",
    "latin-america": "Seasonal workers travelled long distances for the harvest, hired by "
    "labour contractors who controlled their transport, housing and pay.",
    "europe": "Workers came from other parts of Europe and from outside it, through chains "
    "of temporary work agencies, some operating across borders.",
    "north-america": "Workers came on temporary visa programmes that tied them to one "
    "employer, often after paying recruiters in their home country.",
}

# How the problem came to light.
TRIGGERS = [
    "It surfaced in an off-site worker interview during a routine assessment.",
    "A civil-society organisation working with migrant workers raised it with the {co} directly.",
    "A supply-chain risk assessment flagged this part of the business as the highest risk.",
    "New due-diligence laws in its main markets required the {co} to show how it found and "
    "addressed forced-labour risk.",
    "A customer's questionnaire asked questions the {co} could not answer.",
    "Workers raised it through an industry helpline.",
]

OPENING_STEPS = [
    {
        "heading": "Made one team accountable",
        "what_was_done": "<p>Sourcing, legal, compliance and finance each named a person "
        "accountable for the work, and senior management approved a budget before any "
        "supplier was approached.</p>",
        "who_was_involved": "Senior management, sourcing, legal, compliance and finance leads",
        "duration": "1 month",
        "cost_band": "none",
        "pitfalls": "If the work sits in the compliance team alone, the people whose decisions "
        "cause the problem never change them.",
    },
    {
        "heading": "Talked to workers' organisations first",
        "what_was_done": "<p>Before designing anything, the {co} met trade unions and migrant "
        "workers' organisations active in the area to hear what workers were facing and what "
        "had been tried before.</p>",
        "who_was_involved": "Human rights team, trade unions, migrant workers' organisations",
        "duration": "2 months",
        "cost_band": "under-10k",
        "pitfalls": "Come to listen, not to present a plan; organisations have seen many "
        "programmes come and go.",
    },
]

CLOSING_STEPS = [
    {
        "heading": "Measured and reported results",
        "what_was_done": "<p>The {co} agreed a small set of outcome metrics with a baseline, "
        "measured them every year and published the results in its human rights report, "
        "without naming suppliers.</p>",
        "who_was_involved": "Sustainability and human rights team, an independent reviewer",
        "duration": "Ongoing, yearly",
        "cost_band": "under-10k",
        "pitfalls": "Choose metrics about what changed for workers, not about activities such "
        "as trainings held.",
    },
    {
        "heading": "Shared the approach with peers",
        "what_was_done": "<p>Because the same {suppliers} sell to many buyers, the {co} shared "
        "its tools and findings through an industry initiative, so that suppliers face one "
        "set of expectations instead of several.</p>",
        "who_was_involved": "Sustainability team, an industry initiative, peer companies",
        "duration": "6 months",
        "cost_band": "under-10k",
        "pitfalls": "Agree what can be shared before the work starts; competition law and "
        "confidentiality both matter.",
    },
]

GENERIC_DID_NOT_WORK = [
    "Treating it as a compliance matter for one team. Buyers kept making the decisions that "
    "caused the problem.",
    "Announcing the programme before suppliers had been consulted: several assumed it was a "
    "way to drop them.",
    "Expecting results within one season. The first year went mostly on building trust.",
    "Translating materials word for word. Workers found the legal language harder to follow "
    "than the original.",
]

GENERIC_LESSONS = [
    "Start with a few suppliers, learn, then scale.",
    "Share the cost with suppliers; the work does not last if they carry it alone.",
    "Involve workers' own organisations early.",
    "Report what did not work as openly as what did.",
    "Budget for years, not months.",
]

VERIFICATION_SENTENCES = {
    "self-reported": "The figure is reported by the company.",
    "second-party": "The figure was checked by a second party.",
    "independently-audited": "An independent auditor verified the figure.",
}


def _step(heading, what_was_done, who_was_involved, duration, cost_band, pitfalls) -> dict:
    return {
        "heading": heading,
        "what_was_done": what_was_done,
        "who_was_involved": who_was_involved,
        "duration": duration,
        "cost_band": cost_band,
        "pitfalls": pitfalls,
    }


# Per intervention: how a story summarises it, the problem it answers, the steps it
# usually takes, what did not work, lessons, and a bright-spot clause.
INTERVENTION_TEXT = {
    "employer-pays": {
        "summary": [
            "committed to the employer-pays principle and made its suppliers repay the "
            "recruitment fees that migrant {workers} had paid to agents",
            "wrote the employer-pays principle into its supplier contracts and built a way to "
            "find out what workers had actually paid for their jobs",
        ],
        "problem": [
            "Workers interviewed off site said they had paid between two and twelve months' "
            "wages to agents for their jobs, and many were still repaying loans taken out to "
            "cover the fees.",
            "Suppliers' records showed no fees at all; workers' own accounts showed fees, "
            "'training' charges and deposits collected by sub-agents in their home villages.",
        ],
        "steps": [
            _step(
                "Found out what workers had really paid",
                "<p>Instead of asking suppliers, the team asked workers. An independent "
                "interviewer surveyed a sample of {workers} in their own language, away from "
                "supervisors, about every cost they had paid from their first contact with an "
                "agent to their first wage.</p><p>The survey covered agency fees, medical "
                "checks, visa and travel costs, and the interest on loans taken out to pay "
                "them.</p>",
                "Sourcing team, an independent interviewer, worker representatives",
                "3 months",
                "10k-100k",
                "Workers under-report fees when they fear losing their job. Interview off site "
                "and explain that no one will be dismissed for answering.",
            ),
            _step(
                "Agreed a repayment formula with suppliers",
                "<p>The {co} and its {suppliers} agreed a formula for what each worker was "
                "owed: documented fees, plus a standard amount for undocumented costs based on "
                "the survey's median for the same recruitment corridor, plus interest on "
                "loans.</p><p>Money was paid directly into workers' bank accounts, in "
                "instalments where a supplier could not pay at once, with the {co} advancing "
                "part of it.</p>",
                "Supplier owners and finance managers, the buyer's sourcing and legal teams",
                "4 months",
                "100k-1m",
                "Suppliers will ask who pays. Decide early how the cost is shared, or "
                "negotiations stall for months.",
            ),
            _step(
                "Wrote employer pays into contracts",
                "<p>Purchase contracts now require suppliers to pay all recruitment fees and "
                "related costs for new hires, to use only vetted agencies and to share agency "
                "contracts on request. In return the {co} pays a price that includes the cost "
                "of recruitment.</p>",
                "Legal team, buyers, supplier management",
                "2 months",
                "under-10k",
                "A clause alone changes nothing if buyers keep squeezing prices; pair it with "
                "a cost line in the price.",
            ),
            _step(
                "Checked that new hires paid nothing",
                "<p>Every quarter a sample of newly hired workers is asked what they paid. Any "
                "new fee is repaid within 90 days, and the agency responsible is suspended "
                "until it has repaid the worker itself.</p>",
                "Social compliance team, worker helpline operator",
                "Ongoing, quarterly",
                "10k-100k",
                "Fees move upstream: sub-agents in the home country start charging "
                "'training' or 'processing' fees instead.",
            ),
        ],
        "did_not_work": [
            "Asking suppliers to certify that workers paid no fees. Every supplier signed; the "
            "first worker survey found fees at most of them.",
            "A one-off repayment without changing recruitment channels: the next intake of "
            "workers arrived with new debts.",
            "Capping fees at one month's wage. The cap became the going rate, and workers "
            "still borrowed to pay it.",
        ],
        "lessons": [
            "Ask workers, not suppliers, what recruitment really cost.",
            "Budget for repayment before announcing the policy; suppliers need to know who pays.",
            "Repay into bank accounts, not in cash, so payments can be verified.",
        ],
        "bright": [
            "repaid the recruitment fees that migrant workers at its suppliers had paid to agents",
            "made sure that new hires at its suppliers paid nothing for their jobs",
        ],
    },
    "worker-voice": {
        "summary": [
            "set up a grievance channel that {workers} actually use, in their own languages, "
            "with complaints resolved in weeks rather than months",
            "gave {workers} elected committees and an independent helpline, so that problems "
            "surfaced before they became forced labour",
        ],
        "problem": [
            "The existing hotline received almost no calls. Workers did not know it existed, "
            "it answered only in the national language, and those who knew of it feared being "
            "identified.",
            "Problems reached the {co} only through audits or the press, months after they "
            "had started.",
        ],
        "steps": [
            _step(
                "Asked workers how they wanted to raise concerns",
                "<p>Focus groups with {workers}, held separately for women and for migrant "
                "workers, asked which channels they would trust. Most preferred a messaging "
                "app and a phone line run by an organisation independent of their employer, in "
                "their own language.</p>",
                "Worker representatives, a local civil-society organisation, the buyer's human "
                "rights team",
                "2 months",
                "under-10k",
                "Supervisors in the room change the answers. Hold the sessions off site, run "
                "by someone workers already know.",
            ),
            _step(
                "Set up an independent helpline",
                "<p>An independent operator staffed a helpline and messaging channel in the "
                "main languages of the workforce. Each case got a reference number, so workers "
                "could follow it without giving their name.</p><p>Cases were shared with the "
                "employer only with the worker's consent, and escalated to the {co} if not "
                "resolved within 30 days.</p>",
                "Helpline operator, supplier HR managers, the buyer's social compliance team",
                "4 months",
                "10k-100k",
                "Publicise the channel again and again: on payslips, in dormitories, at "
                "induction. One poster in the canteen is not enough.",
            ),
            _step(
                "Supported elected worker committees",
                "<p>Workers elected committees by secret ballot, with seats reserved for women "
                "and for migrant workers. Members were trained for the role and met management "
                "monthly, with minutes shared with the {co}.</p>",
                "Workers, supplier management, a trade union",
                "6 months",
                "under-10k",
                "Management-appointed representatives are not worker voice. Insist on "
                "elections that workers organise themselves.",
            ),
            _step(
                "Protected workers who spoke up",
                "<p>The {co} made non-retaliation a condition of business. Every dismissal of "
                "a worker who had raised a grievance in the previous six months was reviewed "
                "by the {co} before it took effect.</p>",
                "Legal and sourcing teams, supplier HR",
                "Ongoing",
                "none",
                "Retaliation is often quiet: lost overtime, worse shifts, contracts not "
                "renewed. Track these, not only dismissals.",
            ),
        ],
        "did_not_work": [
            "A suggestion box at the factory gate. It stayed empty: workers assumed their "
            "handwriting would give them away.",
            "An app that required a national ID number to register. Migrant workers, whose "
            "documents were held by the employer, could not use it.",
            "Routing complaints to the supplier's HR manager, who was the subject of many of them.",
        ],
        "lessons": [
            "Measure trust, not calls: repeat users and resolved cases say more than call volume.",
            "Close the loop. Workers stop reporting if they never hear what happened.",
            "Let workers choose the channel; do not assume they have smartphones or data.",
        ],
        "bright": [
            "resolved workers' grievances in weeks through an independent helpline",
            "saw workers use its grievance channel with confidence, and most cases resolved",
        ],
    },
    "independent-audits": {
        "summary": [
            "replaced announced social audits with unannounced, worker-centred assessments "
            "that found what earlier audits had missed",
            "had every fix checked by an independent verifier, so that a closed finding meant "
            "a fixed problem",
        ],
        "problem": [
            "Years of clean audit reports had not detected forced labour that a later "
            "investigation found in plain sight. Audits were announced weeks ahead, interviews "
            "took place in the manager's office and payroll records were prepared for the "
            "auditors.",
            "Audit findings were closed on the strength of a photo or a new policy, and the "
            "same findings returned at the next audit.",
        ],
        "steps": [
            _step(
                "Rebuilt the audit around forced-labour indicators",
                "<p>The protocol was rebuilt around the ILO forced-labour indicators: "
                "recruitment fees and debt, retained identity documents, withheld wages, "
                "excessive overtime, restricted movement and threats. Auditors had to "
                "reconcile payroll, time records and bank transfers rather than review each "
                "on its own.</p>",
                "Social compliance team, an independent audit firm",
                "3 months",
                "10k-100k",
                "Forced labour hides in the gaps between records. Reconcile them; do not just "
                "check each one.",
            ),
            _step(
                "Went unannounced and interviewed off site",
                "<p>Visits were unannounced or announced only as a 30-day window. At least a "
                "quarter of worker interviews took place off site, in dormitories or community "
                "centres, by interviewers who spoke the workers' languages.</p>",
                "Independent auditors, interviewers from the workers' communities",
                "Ongoing, yearly cycle",
                "10k-100k",
                "Suppliers may refuse entry to unannounced visits. Make access a contract "
                "condition before the first visit.",
            ),
            _step(
                "Verified fixes before closing findings",
                "<p>A finding was closed only once an independent verifier had checked the "
                "fix with workers: for example, that they held their own passports, not just "
                "that a new policy on passports existed.</p>",
                "Independent verifier, supplier management",
                "6 months",
                "10k-100k",
                "Verification is slower than self-reported closure. Expect the share of closed "
                "findings to drop before it rises.",
            ),
            _step(
                "Shared results with suppliers and other buyers",
                "<p>Results were discussed with each supplier in a joint review rather than "
                "sent as a scorecard, and shared with other buyers at the same sites through "
                "an industry platform, so that one good audit replaced several poor ones.</p>",
                "Social compliance team, an industry initiative, other buyers",
                "4 months",
                "under-10k",
                "Shared audits need agreement on the protocol first; otherwise each buyer "
                "reopens the findings.",
            ),
        ],
        "did_not_work": [
            "Adding questions to the standard audit checklist. Auditors had no more time on "
            "site, so each question got less attention.",
            "Relying on documents the supplier prepared before the visit: the payroll shown "
            "to auditors did not match workers' bank statements.",
        ],
        "lessons": [
            "An audit that finds nothing is a reason for doubt, not reassurance.",
            "Pay for verification of fixes, not only for the first audit.",
            "Off-site worker interviews are where the real picture emerges.",
        ],
        "bright": [
            "had every forced-labour finding at its suppliers independently verified as fixed",
            "found and fixed problems that years of announced audits had missed",
        ],
    },
    "responsible-purchasing": {
        "summary": [
            "changed its own buying (labour costs kept out of negotiations, steadier orders, "
            "faster payment) after finding that it drove overtime at its suppliers",
            "built wages and recruitment costs into the prices it paid and stopped the "
            "last-minute order changes that pushed suppliers into excessive overtime",
        ],
        "problem": [
            "When the {co} looked at its own data, it found that late changes and volatile "
            "orders coincided with the weeks of highest overtime at its suppliers.",
            "Suppliers said the prices they were paid did not cover the legal minimum wage "
            "plus overtime premiums for the hours the orders required.",
        ],
        "steps": [
            _step(
                "Looked at its own buying first",
                "<p>The {co} compared its order changes, lead times and payment days with "
                "overtime and hiring data from its main {suppliers}. Peaks in overtime "
                "followed late orders and changes within weeks.</p>",
                "Buyers, planners, the sustainability team, supplier managers",
                "3 months",
                "under-10k",
                "Buying teams may feel blamed. Present the data as a shared problem to solve, "
                "not a verdict.",
            ),
            _step(
                "Kept labour costs out of price negotiations",
                "<p>Labour costs, including wages, legal overtime premiums and the cost of "
                "responsible recruitment, became a separate line in the costing that buyers "
                "could not negotiate down.</p>",
                "Buyers, supplier finance managers, an industry living-wage initiative",
                "6 months",
                "none",
                "Open costing only works if buyers are not rewarded for squeezing it. Change "
                "their targets too.",
            ),
            _step(
                "Steadied orders and paid faster",
                "<p>Planners committed to minimum volumes a season ahead, froze orders a set "
                "number of weeks before shipment and paid suppliers within 30 days instead of "
                "90.</p>",
                "Planning, merchandising and finance teams",
                "9 months",
                "none",
                "Commercial teams will push for exceptions; track them and report them to "
                "management.",
            ),
            _step(
                "Rewarded good labour practice with business",
                "<p>Suppliers with verified good labour practices got longer contracts and a "
                "larger share of orders, and the {co} stopped switching suppliers for small "
                "price differences.</p>",
                "Sourcing leadership, supplier managers",
                "12 months",
                "none",
                "Make the scoring transparent to suppliers; otherwise it looks like one more "
                "demand.",
            ),
        ],
        "did_not_work": [
            "Telling suppliers to cut overtime without changing lead times: the hours moved to "
            "unauthorised subcontractors instead.",
            "A supplier code of conduct with no link to prices. Suppliers signed it and "
            "carried on as before.",
        ],
        "lessons": [
            "Look at your own purchasing data before auditing suppliers.",
            "Put a number on labour cost and keep it out of negotiations.",
            "Pay suppliers on time; late payment becomes late wages.",
        ],
        "bright": [
            "changed its own buying (steadier orders, labour costs kept out of negotiations, "
            "payment within 30 days) to take the pressure off its suppliers' workers",
            "paid its suppliers on time and stopped last-minute changes to its orders, so that "
            "suppliers could pay and schedule their workers properly",
        ],
    },
    "supplier-capacity-building": {
        "summary": [
            "trained its suppliers' managers to recruit responsibly and run their own checks, "
            "with coaching on site rather than one-off workshops",
            "gave its {suppliers} practical tools (recruitment checklists, payroll templates, "
            "working-hours planning) so that improvements outlasted the programme",
        ],
        "problem": [
            "Many of the {suppliers} were small businesses with no dedicated HR staff. "
            "Recruitment was left to agents and records were kept on paper, if at all.",
            "Suppliers were willing but did not know how to recruit without agents, calculate "
            "overtime correctly or keep the records the law required.",
        ],
        "steps": [
            _step(
                "Assessed what each supplier needed",
                "<p>A short self-assessment followed by a visit showed where each supplier "
                "stood on recruitment, contracts, wages and working hours. The {co} grouped "
                "suppliers by need rather than by size.</p>",
                "Supplier managers, an external training provider",
                "2 months",
                "under-10k",
                "Self-assessments are optimistic. Treat them as the start of a conversation.",
            ),
            _step(
                "Trained managers in small groups",
                "<p>HR and production managers from several suppliers worked through "
                "responsible recruitment, contracts in workers' languages, working-hours "
                "planning and grievance handling, using their own documents as examples.</p>",
                "Supplier HR and production managers, a training provider, a local NGO",
                "6 months",
                "10k-100k",
                "Owners who send a junior clerk to training send a signal. Ask for the people "
                "who decide.",
            ),
            _step(
                "Coached on site",
                "<p>Trainers returned to each supplier several times to help put changes into "
                "practice: rewriting contracts, setting up a payroll template that calculates "
                "overtime premiums and keeping a register of the agencies used.</p>",
                "Trainers, supplier HR staff",
                "9 months",
                "10k-100k",
                "Coaching needs continuity; changing coaches midway loses the trust that was "
                "built.",
            ),
            _step(
                "Let suppliers teach each other",
                "<p>Suppliers that had made the most progress hosted visits for others, and a "
                "peer group met every quarter to compare problems and solutions.</p>",
                "Supplier managers, the buyer's supplier development team",
                "Ongoing",
                "under-10k",
                "Keep competitors' commercial information out of the room, or they will not come.",
            ),
        ],
        "did_not_work": [
            "Classroom training without follow-up. Managers returned to busy sites and nothing "
            "changed.",
            "E-learning in the buyer's language: completion rates were high, understanding was "
            "not.",
        ],
        "lessons": [
            "Train the people who decide, and coach the people who do.",
            "Give suppliers tools they can use the next day: templates, checklists, examples.",
            "Measure practice, not attendance.",
        ],
        "bright": [
            "trained the HR managers of its suppliers to recruit responsibly",
            "helped small suppliers set up payroll that pays overtime correctly",
        ],
    },
    "remediation": {
        "summary": [
            "put workers first when forced labour was found at a supplier: it repaid wages, "
            "returned documents and stayed to fix the cause instead of cutting ties",
            "made sure that workers affected by forced labour were repaid and supported, and "
            "that the problem was fixed at its root",
        ],
        "problem": [
            "An investigation found workers whose wages had been withheld for months and whose "
            "identity documents were held by their employer.",
            "A worker's complaint revealed debt bondage at a subcontractor the {co} had not "
            "known it used.",
        ],
        "steps": [
            _step(
                "Stayed and worked with the supplier",
                "<p>Ending the relationship would have cost workers their jobs without repaying "
                "anything. The {co} stayed, made further orders conditional on a remediation "
                "plan and set a deadline for each step.</p>",
                "Sourcing leadership, the supplier's owner",
                "1 month",
                "none",
                "Leaving is sometimes right, but decide it only after workers are repaid.",
            ),
            _step(
                "Asked workers what they needed",
                "<p>Confidential interviews with the affected {workers}, through a trusted "
                "civil-society organisation, established what each was owed and what they "
                "wanted: some wanted to stay, some to change employer, some to go home.</p>",
                "A civil-society organisation, interpreters, the buyer's human rights team",
                "2 months",
                "under-10k",
                "Do not assume. Workers' priorities (a job, documents, a safe return) differ "
                "from what the company expects.",
            ),
            _step(
                "Repaid and returned what was taken",
                "<p>Withheld wages and unlawful deductions were repaid with interest into "
                "workers' own accounts, identity documents were returned to every worker, and "
                "those who wished to leave were helped to change employer without penalty.</p>",
                "Supplier finance team, the buyer, a civil-society organisation",
                "4 months",
                "100k-1m",
                "Pay into accounts workers control, and check that the money is not taken back "
                "as 'fees' afterwards.",
            ),
            _step(
                "Fixed the cause",
                "<p>The supplier replaced the labour agency involved, installed lockers for "
                "documents that only workers can open and moved to a payroll system the {co} "
                "reviews. A follow-up visit six months later checked that the changes held.</p>",
                "Supplier management, an independent verifier",
                "6 months",
                "10k-100k",
                "Remediation without a root-cause fix means paying again next year.",
            ),
        ],
        "did_not_work": [
            "Terminating a previous supplier in a similar case: the workers lost their jobs "
            "and were never repaid.",
            "Leaving the supplier to calculate what workers were owed. Its first offer covered "
            "less than a third of the documented debt.",
        ],
        "lessons": [
            "Decide in advance how you will respond when forced labour is found; the first "
            "days matter.",
            "Remediation is measured by what workers received, not by policies written.",
            "Involve an organisation workers trust from the start.",
        ],
        "bright": [
            "repaid withheld wages in full to workers at a supplier where forced labour was found",
            "put things right for workers at a supplier where forced labour was found, and "
            "fixed the cause",
        ],
    },
    "recruitment-agency-vetting": {
        "summary": [
            "cut the number of recruitment agencies its suppliers used, vetted the rest in "
            "both the sending and receiving countries, and dropped those that charged workers",
            "mapped the agencies recruiting for its {suppliers} and replaced informal brokers "
            "with vetted, licensed agencies",
        ],
        "problem": [
            "Suppliers could not say how many agencies recruited for them. Behind each "
            "licensed agency stood sub-agents and village brokers who charged workers "
            "directly.",
            "The recruitment corridor ran through several intermediaries in two countries, and "
            "none of them appeared in the {co}'s supplier list.",
        ],
        "steps": [
            _step(
                "Mapped every agency in the chain",
                "<p>Each supplier listed the agencies it used, and workers were asked how they "
                "had been recruited. The map showed several layers of sub-agents behind the "
                "agencies on paper.</p>",
                "Supplier HR, the social compliance team, worker interviewers",
                "3 months",
                "under-10k",
                "Suppliers may not know the sub-agents; workers do. Ask both.",
            ),
            _step(
                "Vetted agencies on both sides of the border",
                "<p>Agencies were assessed against a responsible recruitment standard: "
                "licence, fee policy, contracts in the workers' language, pre-departure "
                "orientation and grievance handling, including visits to their offices in the "
                "sending country.</p>",
                "A specialist recruitment assessor, the agencies, the buyer's sourcing team",
                "6 months",
                "10k-100k",
                "Blacklisted agencies come back under new names. Check owners and addresses, "
                "not just names.",
            ),
            _step(
                "Contracted directly with approved agencies",
                "<p>Suppliers moved to a short list of approved agencies, with service "
                "contracts stating that the employer pays all fees and costs and that "
                "documents stay with workers.</p>",
                "Supplier management, approved agencies, legal advisers",
                "4 months",
                "under-10k",
                "Approved agencies may still use sub-agents. Ban unapproved sub-agents in the "
                "contract and check with workers.",
            ),
            _step(
                "Checked with newly arrived workers",
                "<p>Newly arrived workers were interviewed within their first month about what "
                "they had paid and what they had been promised, and the answers were compared "
                "across agencies.</p>",
                "Interviewers, the social compliance team",
                "Ongoing",
                "under-10k",
                "Ask in the first weeks, before workers are afraid to answer.",
            ),
        ],
        "did_not_work": [
            "Relying on government licences alone: several licensed agencies were among those "
            "charging the highest fees.",
            "A blacklist without an approved alternative. Suppliers simply found other "
            "unvetted brokers.",
        ],
        "lessons": [
            "A few well-known agencies beat a long list of licensed ones.",
            "Vet agencies in the sending country, where most fees are charged.",
            "Workers' accounts are the real test of an agency.",
        ],
        "bright": [
            "moved its suppliers' recruitment to vetted agencies that charge workers nothing",
            "cut the agencies recruiting for its suppliers from dozens to a handful of vetted ones",
        ],
    },
    "traceability": {
        "summary": [
            "mapped its supply chain down to the raw material and used the map to find where "
            "the risk of forced labour was highest",
            "traced its {sites} beyond the first tier and focused its human rights work where "
            "the map showed the greatest risk",
        ],
        "problem": [
            "The {co} knew its direct suppliers but not where their inputs came from. Reports "
            "of forced labour concerned stages of the chain it had never mapped.",
            "Inputs were mixed at several points, and paperwork did not follow the goods from "
            "source to factory.",
        ],
        "steps": [
            _step(
                "Mapped beyond the first tier",
                "<p>Direct suppliers were asked to disclose their own suppliers, and a "
                "traceability provider followed purchase records upstream to the raw-material "
                "sources.</p>",
                "Sourcing team, direct suppliers, a traceability provider",
                "6 months",
                "10k-100k",
                "Suppliers fear being bypassed. Agree in writing that the map will not be used "
                "to cut them out.",
            ),
            _step(
                "Ranked the risk across the map",
                "<p>Each site was rated on known forced-labour risk factors: migrant workforce, "
                "recruitment through agents, remote location, seasonal peaks, and country and "
                "commodity risk. Action started at the highest-risk sites.</p>",
                "Human rights team, external risk data providers",
                "2 months",
                "under-10k",
                "Risk scores are a guide, not a verdict. Check the highest-risk sites on the "
                "ground.",
            ),
            _step(
                "Made traceability a condition of supply",
                "<p>New contracts required suppliers to keep the map current and to tell the "
                "{co} before adding a sub-supplier.</p>",
                "Legal and sourcing teams",
                "3 months",
                "none",
                "Expect the map to be out of date within a year unless someone owns it.",
            ),
        ],
        "did_not_work": [
            "A supplier survey with sixty questions: few replied, and answers were copied from "
            "one year to the next.",
            "Certifying the mixed product instead of tracing it: the certificate said nothing "
            "about who had produced it.",
        ],
        "lessons": [
            "Map where the risk is, not only where the spend is.",
            "A supply-chain map is a living document; budget to maintain it.",
        ],
        "bright": [
            "traced its supply chain to the raw material and found where the risk lay",
            "mapped the sites in its supply chain beyond the first tier",
        ],
    },
    "document-retention": {
        "summary": [
            "ended the practice of employers holding workers' passports, giving every worker "
            "access to their own documents at any time",
            "returned identity documents to workers at its {suppliers} and gave them secure "
            "lockers of their own",
        ],
        "problem": [
            "Most migrant workers' passports were kept in the employer's office 'for "
            "safekeeping'. Workers needed a supervisor's permission to get them back, which "
            "made it hard to change jobs or go home.",
            "Agencies held workers' documents until their recruitment debts were repaid.",
        ],
        "steps": [
            _step(
                "Counted who held their own documents",
                "<p>Interviews and a simple show-of-documents check established how many "
                "workers held their own passports and work permits, and where the others were "
                "kept.</p>",
                "Interviewers, supplier HR, the social compliance team",
                "1 month",
                "under-10k",
                "Workers may say they hold their passport out of fear. Ask where it is, not "
                "whether they have it.",
            ),
            _step(
                "Returned documents and installed lockers",
                "<p>Every document was returned to its owner on one day, against a signed "
                "receipt. Suppliers installed individual lockers in dormitories that only the "
                "worker can open.</p>",
                "Supplier management, worker representatives",
                "2 months",
                "under-10k",
                "Return documents at once, not in batches; delays invite excuses.",
            ),
            _step(
                "Made it the rule for agencies too",
                "<p>Agency contracts prohibited holding documents, and workers were told "
                "through the helpline and at induction that no one may keep their passport.</p>",
                "Supplier HR, agencies, the helpline operator",
                "Ongoing",
                "none",
                "Retention can quietly return with new intakes. Check every intake.",
            ),
        ],
        "did_not_work": [
            "A written policy that workers 'may request' their passport: almost none did, for "
            "fear of being seen as planning to leave.",
        ],
        "lessons": [
            "Ask where documents are, not whether workers have them.",
            "Lockers only workers can open remove the excuse that employers were keeping "
            "documents safe.",
        ],
        "bright": [
            "returned passports to every migrant worker at its suppliers",
            "ended the holding of workers' identity documents across its suppliers",
        ],
    },
}
