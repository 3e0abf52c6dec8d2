#!/usr/bin/env python3
"""Regenerate crates/keepwarm-domain/data/area_code_regions.txt from libphonenumber's English
geocoding data (area-code level entries, +1 NXX) as shipped in the PyPI package `phonenumbers`
(Apache-2.0).

    pip download --no-deps phonenumbers -d /tmp/pn && cd /tmp/pn && unzip -o -q phonenumbers-*.whl
    PYTHONPATH=/tmp/pn python3 scripts/gen-area-codes.py > crates/keepwarm-domain/data/area_code_regions.txt
"""
import phonenumbers
from phonenumbers.geodata import GEOCODE_DATA

US = {
    "Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA",
    "Colorado": "CO", "Connecticut": "CT", "Delaware": "DE", "Florida": "FL", "Georgia": "GA",
    "Hawaii": "HI", "Idaho": "ID", "Illinois": "IL", "Indiana": "IN", "Iowa": "IA", "Kansas": "KS",
    "Kentucky": "KY", "Louisiana": "LA", "Maine": "ME", "Maryland": "MD", "Massachusetts": "MA",
    "Michigan": "MI", "Minnesota": "MN", "Mississippi": "MS", "Missouri": "MO", "Montana": "MT",
    "Nebraska": "NE", "Nevada": "NV", "New Hampshire": "NH", "New Jersey": "NJ",
    "New Mexico": "NM", "New York": "NY", "North Carolina": "NC", "North Dakota": "ND",
    "Ohio": "OH", "Oklahoma": "OK", "Oregon": "OR", "Pennsylvania": "PA", "Rhode Island": "RI",
    "South Carolina": "SC", "South Dakota": "SD", "Tennessee": "TN", "Texas": "TX", "Utah": "UT",
    "Vermont": "VT", "Virginia": "VA", "Washington State": "WA", "West Virginia": "WV",
    "Wisconsin": "WI", "Wyoming": "WY", "Washington D.C.": "DC",
}
CA = {
    "Ontario": "ON", "Quebec": "QC", "British Columbia": "BC", "British Colombia": "BC",
    "Alberta": "AB", "Manitoba": "MB", "Saskatchewan": "SK", "New Brunswick": "NB",
    "Newfoundland and Labrador": "NL", "Nova Scotia/Prince Edward Island": "NS&PE",
    "Northwest Territories/Nunavut/Yukon": "NT&NU&YT",
}
ABBR = set(US.values())

def regions(name):
    if name in US:
        return ["US-" + US[name]]
    if name in CA:
        return ["CA-" + p for p in CA[name].split("&")]
    # City-level names such as "Chicago, IL" or "Toronto, ON".
    tail = name.rsplit(", ", 1)[-1]
    if tail in ABBR:
        return ["US-" + tail]
    for p in CA.values():
        if tail in p.split("&"):
            return ["CA-" + tail]
    raise SystemExit("unknown region: " + name)

print("# NANP area code -> jurisdiction (ISO 3166-2), generated from libphonenumber's geocoding data")
print("# (area-code entries of the English geocoder) as shipped in the PyPI package `phonenumbers` %s." % phonenumbers.__version__)
print("# Copyright (C) 2011-2026 The Libphonenumber Authors. Licensed under the Apache License, Version 2.0.")
print("# Regenerate with scripts/gen-area-codes.py. Format: <area code>|<region>&<region>...")
for prefix in sorted(k for k in GEOCODE_DATA if k.startswith("1") and len(k) == 4):
    name = GEOCODE_DATA[prefix].get("en")
    if name:
        print(prefix[1:] + "|" + "&".join(regions(name)))
