#!/usr/bin/env python3
"""Transcribe the shared regulatory catalogue into domain/incident/regimes.json.

Usage:
    python3 scripts/regimes/transcribe.py PATH/TO/shared/reference/regimes.json [OUT]
    python3 scripts/regimes/transcribe.py PATH/TO/shared/reference/regimes.json --check

The shared file (written by the research helper) is the source of every
figure: each of its "obligations" rows is copied with its id, regime,
jurisdiction, citation, notifier, recipient, trigger, deadline (standard
words, value, unit), alternative limits, threshold, data scope, the period
in force [effective_from, effective_to), vendor_obligation flag, status,
sources and notes unchanged. The
only reshaping: deadline.max_value/max_unit become deadline {value, unit}
(null when the row has no number), and each alternative limit gets the
incident instant its trigger maps to.

MAPPING below adds what the shared file lacks: the product's machine
mapping (whose duty it is, which organisations it binds, which incident
jurisdictions and data categories bring it in, and which incident instant
starts its clock), the duty each row is a version of (rows of one duty are
versions of the same law in force over periods that do not overlap, e.g.
California's notice to individuals before and after SB 446), and what the
duty requires in words (the title of the obligations it generates). Every
row of the shared file must have a mapping and every mapping a row, so a
new or renamed row fails the script.

"Section" references are to shared/reference/regulatory-facts.md.
The output is deterministic (sorted as in the shared file, fixed layout):
run the script again and diff to review a change. Standard library only.
"""

import hashlib
import json
import os
import sys

# --- value sets -------------------------------------------------------------

# Data categories (domain/register/category.go codes).
CARD = ["cardholder_data", "sensitive_auth_data"]
HEALTH = ["health_phi"]
GLBA = ["financial_account", "cardholder_data", "ssn"]
REG_SP = ["ssn", "financial_account", "drivers_license", "credentials", "biometric"]
STATE = ["ssn", "drivers_license", "financial_account", "cardholder_data",
         "sensitive_auth_data", "health_phi", "biometric", "credentials"]

# Data conditions.
PERSONAL = {"personal_data": True}
ANY = {"any_incident": True}


def cats(*lists):
    out = []
    for lst in lists:
        out.extend(lst)
    return {"categories": out}


# Anchors (domain/incident/regime.go).
LEARNED = "we_learned_at"
VENDOR = "vendor_discovered_at"
HIPAA = "discovery_hipaa"
MATERIALITY = "materiality_determined_at"
YEAR_END = "year_end"
CLASSIFICATION = "classification"
NONE = "none"


def after(row_id):
    return "after:" + row_id


# --- notes ------------------------------------------------------------------

DETERMINATION = ("The clock starts at our determination that a breach occurred; an incident records no "
                 "separate determination time, so it runs from when we learned of the incident "
                 "(we_learned_at), the earliest defensible instant.")
HIPAA_DISCOVERY = ("HIPAA discovery (45 CFR 164.404(a)(2)) counts the knowledge of our workforce and agents: "
                   "when the vendor acts as our agent its discovery is imputed to us and the clock runs from "
                   "vendor_discovered_at (regulatory-facts.md §1B row 22, P); otherwise from we_learned_at.")
VENDOR_ROW = "Vendor obligation: what the vendor owed us; never generated as our deadline."
STATE_CATS = ("Categories: the US state 'personal information' elements of regulatory-facts.md §2A (SSN; "
              "driver's licence or state ID; financial account or card number with its security or access "
              "code or password; medical; biometric; account credentials). A card number alone, without its "
              "code, may fall outside the state definition: confirm before notifying.")
STATE_DIFF = {
    "CA": "§2A lists all of these for California (also ALPR data and, unverified, genetic data, which have no category here).",
    "CO": "§2A lists medical, biometric and credentials for Colorado; an account number with its access code counts even without a name (P).",
    "FL": "§2A lists medical and credentials for Florida; biometric data is not listed there (over-inclusive on purpose: close the obligation as not applicable if it does not fit).",
    "TX": "§2A lists medical information ('sensitive personal information') for Texas; biometric data and credentials are not listed there (over-inclusive on purpose).",
    "WA": "§2A lists biometric data and credentials for Washington; medical information is not listed there (over-inclusive on purpose).",
    "NY": "§2A lists credentials for New York and medical information from 2025-03-21; biometric data is not listed there (over-inclusive on purpose).",
    "CT": "§2A lists medical and biometric data for Connecticut; credentials are not listed there (over-inclusive on purpose).",
    "MD": "§2A lists biometric data for Maryland, and an account number with its access code counts even without a name (P); medical information and credentials are not listed there (over-inclusive on purpose).",
    "AL": "§2A lists medical information and credentials for Alabama; biometric data is not listed there (over-inclusive on purpose).",
    "VT": "§2A lists biometric data for Vermont, and an account number with its access code counts even without a name (P); medical information and credentials are not listed there (over-inclusive on purpose).",
}
ENTITY_SCOPED = ("Not data-type based (any_incident): the declared entity type brings it in, whatever the "
                 "data subjects' jurisdictions; 'jurisdictions' records where the regime sits.")
GDPR_DATA = "Any personal data category brings it in (regulatory-facts.md §2B: GDPR covers any personal data)."
CARD_MAP = ("Card-brand rules are contractual and bind any merchant whose card data was compromised, wherever "
            "the cardholders live (jurisdictions '*'); categories: PCI DSS account data (regulatory-facts.md §2C).")
DETERMINATION_OR_NOTICE_CA = ("No fixed number of days before SB 446: notice in the most expedient time possible "
                              "and without unreasonable delay, consistent with law enforcement's needs and the "
                              "measures to determine the scope of the breach and restore the system.")
STATE_AG_THRESHOLD = ("The resident threshold uses the per-jurisdiction residents count when recorded, else the "
                      "total records affected as an upper bound.")


def state(code, anchor_note="", extra=None, anchor=LEARNED):
    notes = [STATE_CATS, STATE_DIFF[code]]
    if extra:
        notes.append(extra)
    return {"jurisdictions": ["US-" + code], **cats(STATE), "anchor": anchor, "anchor_note": anchor_note,
            "mapping_notes": notes}


def vendor_row(jurisdictions, data, extra=None, applies_to=""):
    """A vendor's duty to us; applies_to names what we must be for it to be owed to us."""
    notes = [VENDOR_ROW] + ([extra] if extra else [])
    return {"ours": False, "applies_to": applies_to, "jurisdictions": jurisdictions, **data, "anchor": VENDOR,
            "mapping_notes": notes}


# --- the mapping table ------------------------------------------------------
#
# Keys: ours (default: not vendor_obligation), in_force (default true),
# applies_to ("" = any organisation owning the data), jurisdictions, one
# data condition (personal_data | any_incident | categories), anchor
# (default we_learned_at), requires_event, anchor_note (copied into every
# obligation generated from the row), mapping_notes (why the mapping is
# what it is; shown in the catalogue), duty (default the row's id: the duty
# the row is a version of; an "after:" anchor names a duty) and action (what
# the duty requires, naming the recipient; the deadline is appended to make
# an obligation's title).

MAPPING = {
    # EU / UK / other non-US (regulatory-facts.md §1A)
    "gdpr-33-1": {"jurisdictions": ["EU"], **PERSONAL,
                  "anchor_note": "Not owed when the breach is unlikely to result in a risk to individuals (Art. 33(1)).",
                  "mapping_notes": [GDPR_DATA]},
    "gdpr-33-2": vendor_row(["EU"], PERSONAL),
    "gdpr-34": {"jurisdictions": ["EU"], **PERSONAL,
                "anchor_note": "Owed only when the breach is likely to result in a high risk to individuals (Art. 34).",
                "mapping_notes": [GDPR_DATA]},
    "ukgdpr-33-1": {"jurisdictions": ["GB"], **PERSONAL,
                    "anchor_note": "Not owed when the breach is unlikely to result in a risk to individuals.",
                    "mapping_notes": ["The shared file says 'UK'; our jurisdiction code is GB.",
                                      "Any personal data category brings it in (UK GDPR, as GDPR)."]},
    "ukgdpr-33-2": vendor_row(["GB"], PERSONAL, "The shared file says 'UK'; our jurisdiction code is GB."),
    "uk-pecr-5a": {"applies_to": "uk_pecr_provider", "jurisdictions": ["GB"], **PERSONAL,
                   "mapping_notes": ["Binds public electronic communications service providers only (PECR reg. 5A).",
                                     "The shared file says 'UK'; our jurisdiction code is GB."]},
    "nis2-23-early": {"applies_to": "nis2_entity", "jurisdictions": ["EU"], **ANY,
                      "anchor_note": "Only for a significant incident (NIS2 Art. 23(3)).",
                      "mapping_notes": [ENTITY_SCOPED]},
    "nis2-23-notif": {"applies_to": "nis2_entity", "jurisdictions": ["EU"], **ANY,
                      "anchor_note": "Only for a significant incident (NIS2 Art. 23(3)).",
                      "mapping_notes": [ENTITY_SCOPED]},
    "nis2-23-final": {"applies_to": "nis2_entity", "jurisdictions": ["EU"], **ANY, "anchor": after("nis2-23-notif"),
                      "anchor_note": "Counted from the submission of the incident notification (nis2-23-notif).",
                      "mapping_notes": [ENTITY_SCOPED]},
    "dora-initial": {"applies_to": "dora_financial_entity", "jurisdictions": ["EU"], **ANY, "anchor": CLASSIFICATION,
                     "anchor_note": ("Due 4 hours after the incident is classified as major, but no later than 24 hours "
                                     "after we became aware of it, whichever is earlier. The classification time is not "
                                     "recorded, so only the 24-hour backstop from our awareness (we_learned_at) is "
                                     "computed: file sooner when the incident is classified as major earlier."),
                     "mapping_notes": [ENTITY_SCOPED]},
    "dora-intermediate": {"applies_to": "dora_financial_entity", "jurisdictions": ["EU"], **ANY,
                          "anchor": after("dora-initial"),
                          "anchor_note": "Counted from the submission of the initial notification (dora-initial).",
                          "mapping_notes": [ENTITY_SCOPED]},
    "dora-final": {"applies_to": "dora_financial_entity", "jurisdictions": ["EU"], **ANY,
                   "anchor": after("dora-intermediate"),
                   "anchor_note": ("Counted from the latest intermediate report: when an updated intermediate report "
                                   "is filed, mark dora-intermediate done again at that instant."),
                   "mapping_notes": [ENTITY_SCOPED]},
    "ca-pipeda": {"jurisdictions": ["CA"], **PERSONAL, "anchor_note": DETERMINATION,
                  "mapping_notes": ["Binds any organisation in control of personal information of Canadian subjects "
                                    "(jurisdiction 'CA (Canada)' in the shared file; not US-CA).",
                                    "Only for a real risk of significant harm; no fixed number of days."]},
    "au-ndb-assess": {"jurisdictions": ["AU"], **PERSONAL,
                      "mapping_notes": ["Binds any APP entity holding personal information of Australian subjects.",
                                        "An internal assessment, not a notice: its recipient is ourselves."]},
    "au-ndb-notify": {"jurisdictions": ["AU"], **PERSONAL,
                      "mapping_notes": ["Binds any APP entity holding personal information of Australian subjects.",
                                        "Only for an eligible data breach (likely serious harm); no fixed number of days."]},

    # US federal (§1B)
    "hipaa-404": {"applies_to": "hipaa_covered_entity", "jurisdictions": ["US"], **cats(HEALTH), "anchor": HIPAA,
                  "anchor_note": HIPAA_DISCOVERY,
                  "mapping_notes": ["Unsecured PHI (regulatory-facts.md §2B) is the health_phi category."]},
    "hipaa-410": vendor_row(["US"], cats(HEALTH), applies_to="hipaa_covered_entity"),
    "hipaa-406": {"applies_to": "hipaa_covered_entity", "jurisdictions": ["US"], **cats(HEALTH), "anchor": HIPAA,
                  "anchor_note": HIPAA_DISCOVERY,
                  "mapping_notes": ["Unsecured PHI (regulatory-facts.md §2B) is the health_phi category.",
                                    "More than 500 residents of one state: the largest per-state residents count "
                                    "recorded, else the total records affected as an upper bound."]},
    "hipaa-408b": {"applies_to": "hipaa_covered_entity", "jurisdictions": ["US"], **cats(HEALTH), "anchor": HIPAA,
                   "anchor_note": HIPAA_DISCOVERY,
                   "mapping_notes": ["Unsecured PHI (regulatory-facts.md §2B) is the health_phi category."]},
    "hipaa-408c": {"applies_to": "hipaa_covered_entity", "jurisdictions": ["US"], **cats(HEALTH), "anchor": YEAR_END,
                   "anchor_note": ("Annual log: 60 days after the end of the calendar year in which the breach was "
                                   "discovered (HIPAA discovery, as for hipaa-404). Counted from the date 31 December, "
                                   "due at 00:00 UTC at the start of the 60th day (1 March, or 29 February in a leap "
                                   "year), never later than the law's last day."),
                   "mapping_notes": ["Unsecured PHI (regulatory-facts.md §2B) is the health_phi category."]},
    "ftc-hbnr": {"applies_to": "phr_vendor", "jurisdictions": ["US"], **cats(HEALTH),
                 "mapping_notes": ["PHR identifiable health information of non-HIPAA apps (regulatory-facts.md §2B) is "
                                   "mapped to health_phi.",
                                   "The 500-individual threshold decides only whether the FTC is told at the same "
                                   "time as individuals; individuals are owed notice at any count."]},
    "glba-ftc-314-4j": {"applies_to": "glba_ftc_financial_institution", "jurisdictions": ["US"], **cats(GLBA),
                        "anchor_note": ("GLBA discovery also counts the knowledge of our agents (regulatory-facts.md "
                                        "§1B row 28): if the vendor is our agent the clock may have started at its "
                                        "discovery. The engine runs it from we_learned_at."),
                        "mapping_notes": ["Customer information is any nonpublic personal financial information "
                                          "(regulatory-facts.md §2B), broader than these categories: review other "
                                          "categories of a financial institution's customers too."]},
    "bank-36h": {"applies_to": "bank", "jurisdictions": ["US"], **ANY, "anchor_note": DETERMINATION,
                 "mapping_notes": [ENTITY_SCOPED,
                                   "Only for a notification incident that materially disrupts or degrades operations."]},
    "bank-bsp": vendor_row(["US"], ANY, applies_to="bank"),
    "sec-8k-105": {"applies_to": "sec_registrant", "jurisdictions": ["US"], **ANY, "anchor": MATERIALITY,
                   "anchor_note": ("Counted from the materiality determination, which must itself follow discovery "
                                   "without unreasonable delay; 4 business days on the business calendar in use."),
                   "mapping_notes": [ENTITY_SCOPED,
                                     "Smaller reporting companies from 2024-06-15 (shared notes)."]},
    "sec-regsp-individuals": {"applies_to": "sec_regsp_covered_institution", "jurisdictions": ["US"], **cats(REG_SP),
                              "mapping_notes": ["Sensitive customer information (regulatory-facts.md §2B) mapped to "
                                                "ssn, financial_account, drivers_license, credentials, biometric.",
                                                "effective_from is the larger-entity compliance date; smaller "
                                                "entities from 2026-06-03 (shared notes)."]},
    "sec-regsp-sp": vendor_row(["US"], cats(REG_SP), applies_to="sec_regsp_covered_institution"),
    "circia-incident": {"applies_to": "circia_covered_entity", "jurisdictions": ["US"], **ANY, "in_force": False,
                        "mapping_notes": [ENTITY_SCOPED,
                                          "NOT IN FORCE (proposed rule): in_force false, never generated; set in_force "
                                          "and effective_from when the final rule is published."]},
    "circia-ransom": {"applies_to": "circia_covered_entity", "jurisdictions": ["US"], **ANY, "in_force": False,
                      "anchor": NONE, "requires_event": "extortion_payment",
                      "mapping_notes": ["NOT IN FORCE (proposed rule).",
                                        "Runs from a ransom payment, which incidents do not record: never generated."]},

    # NYDFS (§1C)
    "nydfs-500-17a": {"applies_to": "nydfs_covered_entity", "jurisdictions": ["US-NY"], **ANY,
                      "anchor_note": DETERMINATION,
                      "mapping_notes": [ENTITY_SCOPED,
                                        "Covers incidents at our third-party service providers (500.17(a)(1))."]},
    "nydfs-500-17c-24h": {"applies_to": "nydfs_covered_entity", "jurisdictions": ["US-NY"], **ANY, "anchor": NONE,
                          "requires_event": "extortion_payment",
                          "mapping_notes": ["Runs from an extortion payment, which incidents do not record: never generated."]},
    "nydfs-500-17c-30d": {"applies_to": "nydfs_covered_entity", "jurisdictions": ["US-NY"], **ANY, "anchor": NONE,
                          "requires_event": "extortion_payment",
                          "mapping_notes": ["Runs from an extortion payment, which incidents do not record: never generated."]},

    # Card brands (§1D)
    "visa-wtdic-notify": {"jurisdictions": ["*"], **cats(CARD), "mapping_notes": [CARD_MAP]},
    "visa-wtdic-report": {"jurisdictions": ["*"], **cats(CARD), "anchor": after("visa-wtdic-notify"),
                          "anchor_note": "Counted from our notification to Visa (visa-wtdic-notify).",
                          "mapping_notes": [CARD_MAP]},
    "visa-accounts": {"jurisdictions": ["*"], **cats(CARD),
                      "anchor_note": ("The shared row gives no trigger ('(per Visa)'); counted from our awareness, the "
                                      "earliest defensible instant, on the business calendar in use."),
                      "mapping_notes": [CARD_MAP]},
    "pfi-prelim": {"ours": False, "jurisdictions": ["*"], **cats(CARD), "anchor": NONE,
                   "mapping_notes": ["The PCI Forensic Investigator's duty, not ours: never generated."]},
    "mc-adc-report": {"jurisdictions": ["*"], **cats(CARD),
                      "anchor_note": ("Mastercard's 24 hours bind our acquirer (the responsible customer): tell the "
                                      "acquirer at once so that it can meet them."),
                      "mapping_notes": [CARD_MAP]},
    "mc-pfi": {"ours": False, "jurisdictions": ["*"], **cats(CARD),
               "mapping_notes": ["Engaging the PFI is the responsible customer's (acquirer's) act under Mastercard's "
                                 "rules, not a deadline of ours: never generated."]},
    "amex-dsop": {"jurisdictions": ["*"], **cats(CARD),
                  "anchor_note": ("Sources conflict: 72 hours in the international DSOP and the US page (used here); "
                                  "the Canada and India pages say 24 hours."),
                  "mapping_notes": [CARD_MAP]},

    # US states (§1E). California before SB 446 (row 56a): the same duties,
    # versions of ca-ind and ca-ag in force until 2026-01-01.
    "ca-ind-2003": {**state("CA", DETERMINATION_OR_NOTICE_CA), "duty": "ca-ind"},
    "ca-ag-2012": {**state("CA", "Counted from our notice to individuals (ca-ind); the text before SB 446 sets no "
                               "deadline for the sample copy.", STATE_AG_THRESHOLD, anchor=after("ca-ind")),
                   "duty": "ca-ag"},
    "ca-ind": state("CA"),
    "ca-ag": state("CA", "Counted from our notice to individuals (ca-ind).", STATE_AG_THRESHOLD, anchor=after("ca-ind")),
    "ca-vendor": vendor_row(["US-CA"], cats(STATE)),
    "ca-hs-1280": {"applies_to": "ca_licensed_health_facility", "jurisdictions": ["US-CA"], **cats(HEALTH),
                   "anchor_note": ("Detection taken as when we learned of the incident; 15 business days on the "
                                   "business calendar in use (California state holidays are not in the US federal one)."),
                   "mapping_notes": ["Licensed clinics and health facilities only; medical information is the "
                                     "health_phi category."]},
    "co-ind": state("CO", DETERMINATION),
    "co-ag": state("CO", DETERMINATION, STATE_AG_THRESHOLD),
    "co-vendor": vendor_row(["US-CO"], cats(STATE)),
    "fl-ind": state("FL", DETERMINATION),
    "fl-ag": state("FL", DETERMINATION, STATE_AG_THRESHOLD),
    "fl-vendor": vendor_row(["US-FL"], cats(STATE)),
    "tx-ind": state("TX", DETERMINATION),
    "tx-ag": state("TX", DETERMINATION, STATE_AG_THRESHOLD),
    "tx-vendor": vendor_row(["US-TX"], cats(STATE)),
    "wa-ind": state("WA"),
    "wa-ag": state("WA", "", STATE_AG_THRESHOLD),
    "wa-vendor": vendor_row(["US-WA"], cats(STATE)),
    "ny-ind": state("NY"),
    "ny-vendor": vendor_row(["US-NY"], cats(STATE)),
    "ct-ind": state("CT"),
    "md-ind": state("MD"),
    "al-ind": state("AL", "Counted from our determination or from the vendor's notice; we take our awareness "
                          "(we_learned_at), the earliest defensible instant."),
    "al-ag": state("AL", "Counted from our determination or from the vendor's notice; we take our awareness "
                         "(we_learned_at), the earliest defensible instant.", STATE_AG_THRESHOLD),
    "al-vendor": vendor_row(["US-AL"], cats(STATE)),
    "vt-ind": state("VT"),
    "vt-ag-prelim": state("VT", "14 business days on the business calendar in use (Vermont state holidays are not "
                                "in the US federal one)."),
}

# What each duty requires, naming the recipient ("Give Visa the compromised
# account numbers"); the product appends the deadline ("within 10 business
# days", or "(no fixed deadline: ...)") to make an obligation's title. Vendor
# rows say what the vendor owed us.
ACTIONS = {
    "gdpr-33-1": "Notify the supervisory authority of the personal data breach",
    "gdpr-33-2": "Notify us (the controller) of the personal data breach",
    "gdpr-34": "Tell the affected individuals of the personal data breach",
    "ukgdpr-33-1": "Notify the ICO of the personal data breach",
    "ukgdpr-33-2": "Notify us (the controller) of the personal data breach",
    "uk-pecr-5a": "Notify the ICO of the personal data breach",
    "nis2-23-early": "Send the CSIRT or competent authority an early warning",
    "nis2-23-notif": "Send the CSIRT or competent authority the incident notification",
    "nis2-23-final": "Send the CSIRT or competent authority the final report",
    "dora-initial": "Send the competent authority the initial notification of the major ICT-related incident",
    "dora-intermediate": "Send the competent authority the intermediate report",
    "dora-final": "Send the competent authority the final report",
    "ca-pipeda": "Report the breach to the Privacy Commissioner of Canada and notify the affected individuals",
    "au-ndb-assess": "Complete the assessment of the suspected eligible data breach",
    "au-ndb-notify": "Notify the OAIC, then the affected individuals, of the eligible data breach",
    "hipaa-404": "Notify the affected individuals of the breach of unsecured PHI",
    "hipaa-410": "Notify us (the covered entity) of the breach of unsecured PHI",
    "hipaa-406": "Notify prominent media outlets in the state of the breach of unsecured PHI",
    "hipaa-408b": "Notify the HHS Secretary of the breach of unsecured PHI",
    "hipaa-408c": "Log the breach of unsecured PHI with the HHS Secretary",
    "ftc-hbnr": "Notify the affected individuals (and the FTC from 500) of the breach of health records",
    "glba-ftc-314-4j": "Notify the FTC of the notification event",
    "bank-36h": "Notify our primary federal regulator of the computer-security incident",
    "bank-bsp": "Notify our designated contact of the computer-security incident",
    "sec-8k-105": "File Form 8-K Item 1.05 on the material cybersecurity incident",
    "sec-regsp-individuals": "Notify the individuals whose sensitive customer information was accessed",
    "sec-regsp-sp": "Notify us (the covered institution) of the breach",
    "circia-incident": "Report the covered cyber incident to CISA",
    "circia-ransom": "Report the ransom payment to CISA",
    "nydfs-500-17a": "Notify the NYDFS Superintendent of the cybersecurity incident",
    "nydfs-500-17c-24h": "Notify NYDFS of the extortion payment",
    "nydfs-500-17c-30d": "Give NYDFS a written description of the extortion payment",
    "visa-wtdic-notify": "Notify Visa (through our acquirer) of the suspected or confirmed compromise",
    "visa-wtdic-report": "Give Visa and our acquirer the incident report",
    "visa-accounts": "Give Visa the compromised account numbers",
    "pfi-prelim": "The PCI forensic investigator sends the brands, the entity and the acquirer its preliminary report",
    "mc-adc-report": "Report the account data compromise to Mastercard (through our acquirer)",
    "mc-pfi": "Engage a PCI forensic investigator (the acquirer's act under Mastercard's rules)",
    "amex-dsop": "Notify the American Express Enterprise Incident Response Program",
    "ca-ind-2003": "Notify the affected California residents",
    "ca-ag-2012": "Send the California Attorney General a sample copy of the notice",
    "ca-ind": "Notify the affected California residents",
    "ca-ag": "Send the California Attorney General a sample copy of the notice",
    "ca-vendor": "Notify us (the data owner) of the breach",
    "ca-hs-1280": "Notify the affected patients and the California Department of Public Health",
    "co-ind": "Notify the affected Colorado residents",
    "co-ag": "Notify the Colorado Attorney General",
    "co-vendor": "Notify us (the covered entity) of the breach",
    "fl-ind": "Notify the affected Florida residents",
    "fl-ag": "Notify the Florida Department of Legal Affairs",
    "fl-vendor": "Notify us (the covered entity) of the breach",
    "tx-ind": "Notify the affected Texas residents",
    "tx-ag": "Notify the Texas Attorney General",
    "tx-vendor": "Notify us (the data owner) of the breach",
    "wa-ind": "Notify the affected Washington residents",
    "wa-ag": "Notify the Washington Attorney General",
    "wa-vendor": "Notify us (the data owner) of the breach",
    "ny-ind": "Notify the affected New York residents",
    "ny-vendor": "Notify us (the data owner) of the breach",
    "ct-ind": "Notify the affected Connecticut residents",
    "md-ind": "Notify the affected Maryland residents",
    "al-ind": "Notify the affected Alabama residents",
    "al-ag": "Notify the Alabama Attorney General",
    "al-vendor": "Notify us (the covered entity) of the breach",
    "vt-ind": "Notify the affected Vermont residents",
    "vt-ag-prelim": "Give the Vermont Attorney General a preliminary notice",
}

# Which incident instant the trigger of an alternative limit maps to.
ALT_TRIGGER_ANCHOR = {"aware": LEARNED}

UNITS = {"hours", "calendar_days", "business_days", "months", "days_after_calendar_year_end"}


def transcribe(src):
    rows = src["obligations"]
    ids = [r["id"] for r in rows]
    missing = [i for i in ids if i not in MAPPING]
    extra = [i for i in MAPPING if i not in ids]
    if missing or extra:
        sys.exit("mapping out of step with the shared file: no mapping for %s; mapping without row: %s" % (missing, extra))
    if sorted(ACTIONS) != sorted(ids):
        sys.exit("actions out of step with the shared file: %s" % sorted(set(ACTIONS) ^ set(ids)))
    out = []
    for r in rows:
        m = MAPPING[r["id"]]
        d = r["deadline"]
        if (d["max_value"] is None) != (d["max_unit"] is None):
            sys.exit("%s: max_value and max_unit must both be set or both null" % r["id"])
        if d["max_unit"] is not None and d["max_unit"] not in UNITS:
            sys.exit("%s: unknown unit %r" % (r["id"], d["max_unit"]))
        alts = []
        for a in d["alt_limits"]:
            if a["trigger"] not in ALT_TRIGGER_ANCHOR:
                sys.exit("%s: no anchor for alternative trigger %r" % (r["id"], a["trigger"]))
            alts.append({"trigger": a["trigger"], "anchor": ALT_TRIGGER_ANCHOR[a["trigger"]],
                         "deadline": {"value": a["max_value"], "unit": a["max_unit"]}, "combine": a["combine"]})
        data = [k for k in ("personal_data", "any_incident", "categories") if k in m]
        if len(data) != 1:
            sys.exit("%s: exactly one data condition needed, got %s" % (r["id"], data))
        out.append({
            # Verbatim from the shared file.
            "id": r["id"],
            "regime": r["regime"],
            "jurisdiction": r["jurisdiction"],
            "citation": r["citation"],
            "notifier": r["notifier"],
            "recipient": r["recipient"],
            "trigger": r["trigger"],
            "standard": d["standard"],
            "deadline": None if d["max_value"] is None else {"value": d["max_value"], "unit": d["max_unit"]},
            "alt_limits": alts,
            "threshold": r["threshold"],
            "data_scope": r["data_scope"],
            "effective_from": r["effective_from"],
            "effective_to": r["effective_to"],
            "vendor_obligation": r["vendor_obligation"],
            "status": r["status"],
            "sources": r["sources"],
            "notes": r["notes"],
            # The product's mapping.
            "ours": m.get("ours", not r["vendor_obligation"]),
            "in_force": m.get("in_force", True),
            "applies_to": m.get("applies_to", ""),
            "jurisdictions": m["jurisdictions"],
            "personal_data": m.get("personal_data", False),
            "any_incident": m.get("any_incident", False),
            "categories": m.get("categories", []),
            "anchor": m.get("anchor", LEARNED),
            "requires_event": m.get("requires_event", ""),
            "anchor_note": m.get("anchor_note", ""),
            "mapping_notes": m.get("mapping_notes", []),
            "duty": m.get("duty", r["id"]),
            "action": ACTIONS[r["id"]],
        })
    return out


def main(argv):
    if len(argv) < 2 or len(argv) > 3:
        sys.exit(__doc__)
    with open(argv[1], "rb") as f:
        raw = f.read()
    src = json.loads(raw)
    doc = {
        "source": "shared/reference/regimes.json",
        "source_sha256": hashlib.sha256(raw).hexdigest(),
        "generated_by": "scripts/regimes/transcribe.py",
        "status_legend": src["status_legend"],
        "units": src["units"],
        "regimes": transcribe(src),
    }
    text = json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    target = os.path.join(root, "domain", "incident", "regimes.json")
    if len(argv) == 3 and argv[2] == "--check":
        with open(target, encoding="utf-8") as f:
            if f.read() != text:
                sys.exit("domain/incident/regimes.json is out of date: run scripts/regimes/transcribe.py")
        return
    if len(argv) == 3:
        target = argv[2]
    with open(target, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote %d regimes to %s" % (len(doc["regimes"]), target))


if __name__ == "__main__":
    main(sys.argv)
