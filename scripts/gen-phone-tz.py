#!/usr/bin/env python3
"""Regenerate crates/keepwarm-domain/data/phone_time_zones.txt from libphonenumber's
time-zone map as shipped in the PyPI package `phonenumbers` (Apache-2.0).

    pip download --no-deps phonenumbers -d /tmp/pn && cd /tmp/pn && unzip -o -q phonenumbers-*.whl
    PYTHONPATH=/tmp/pn python3 scripts/gen-phone-tz.py > crates/keepwarm-domain/data/phone_time_zones.txt
"""
import phonenumbers
from phonenumbers.tzdata.data0 import data

print("# Phone-number prefix -> IANA time zones, generated from libphonenumber's timezone map")
print("# (PhoneNumberToTimeZonesMapper data) as shipped in the PyPI package `phonenumbers` %s." % phonenumbers.__version__)
print("# Copyright (C) 2011-2026 The Libphonenumber Authors. Licensed under the Apache License, Version 2.0.")
print("# Regenerate with scripts/gen-phone-tz.py. Format: <E.164 digit prefix>|<zone>&<zone>...")
for prefix in sorted(data):
    print(prefix + "|" + "&".join(data[prefix]))
