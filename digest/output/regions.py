"""The states, provinces and countries a dateline names after a place written in Title Case.

Observations
------------
* A dateline in Title Case names its place's state or country after a comma ("Dekalb, Ill. —",
  "Indianapolis , IND. —", "New York, NY –": scrapinghub, GVC val).  Any capitalised words
  there, a dash after them, read as a dateline as well: "John Smith, CEO – The company ...",
  "Manchester United, Chelsea – Both clubs ...", "Tesla, Inc. – Shares rose ..." lost their
  first words from the excerpt (a helper's review, stop 49).  A place in capitals is a dateline
  whatever follows it ("DUBAI, United Arab Emirates —"); one in Title Case only with a region
  named here.

How it works
------------
:data:`REGION` matches, after a comma, a US state as AP writes it ("Ill.", "Calif.", "N.Y."),
its postal code ("NY", in capitals only: "me", "or", "on" are words), its name, a Canadian
province or an Australian state, or a country's name in English (its common short form); all but
the postal codes in any case ("IND.", "OHIO").
"""

from __future__ import annotations

import re

#: The US states as the AP abbreviates them, and the District.
_AP_STATES = (
    "Ala. Ariz. Ark. Calif. Colo. Conn. Del. Fla. Ga. Ill. Ind. Kan. Ky. La. Md. Mass. Mich. "
    "Minn. Miss. Mo. Mont. Neb. Nev. N.H. N.J. N.M. N.Y. N.C. N.D. Okla. Ore. Pa. R.I. S.C. S.D. "
    "Tenn. Vt. Va. Wash. W.Va. Wis. Wyo. D.C."
).split()

#: The postal codes of the US states and territories, and Canada's provinces.
_POSTAL = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM "
    "NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU AB BC MB NB NL NS ON PE QC SK"
).split()

#: Full names: the US states, Canada's provinces, Australia's states, the UK's nations, and the
#: countries (their short English names).
_NAMES = [
    # US states
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut",
    "Delaware", "Florida", "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas",
    "Kentucky", "Louisiana", "Maine", "Maryland", "Massachusetts", "Michigan", "Minnesota",
    "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada", "New Hampshire", "New Jersey",
    "New Mexico", "New York", "North Carolina", "North Dakota", "Ohio", "Oklahoma", "Oregon",
    "Pennsylvania", "Rhode Island", "South Carolina", "South Dakota", "Tennessee", "Texas", "Utah",
    "Vermont", "Virginia", "Washington", "West Virginia", "Wisconsin", "Wyoming", "Puerto Rico",
    # Canada, Australia, the UK
    "Alberta", "British Columbia", "Manitoba", "New Brunswick", "Newfoundland", "Nova Scotia",
    "Ontario", "Quebec", "Québec", "Saskatchewan", "New South Wales", "Queensland",
    "South Australia", "Tasmania", "Victoria", "Western Australia",
]

#: The countries (their short English names) and the UK's nations.
_COUNTRIES = [
    "England", "Scotland", "Wales", "Northern Ireland",
    "Afghanistan", "Albania", "Algeria", "Andorra", "Angola", "Argentina", "Armenia", "Australia",
    "Austria", "Azerbaijan", "Bahamas", "Bahrain", "Bangladesh", "Barbados", "Belarus", "Belgium",
    "Belize", "Benin", "Bhutan", "Bolivia", "Bosnia", "Botswana", "Brazil", "Brunei", "Bulgaria",
    "Burkina Faso", "Burundi", "Cambodia", "Cameroon", "Canada", "Cape Verde", "Chad", "Chile",
    "China", "Colombia", "Comoros", "Congo", "Costa Rica", "Croatia", "Cuba", "Cyprus",
    "Czech Republic", "Czechia", "Denmark", "Djibouti", "Dominica", "Dominican Republic", "Ecuador",
    "Egypt", "El Salvador", "Eritrea", "Estonia", "Eswatini", "Ethiopia", "Fiji", "Finland",
    "France", "Gabon", "Gambia", "Germany", "Ghana", "Greece", "Grenada", "Guatemala", "Guinea",
    "Guyana", "Haiti", "Honduras", "Hungary", "Iceland", "India", "Indonesia", "Iran", "Iraq",
    "Ireland", "Israel", "Italy", "Ivory Coast", "Jamaica", "Japan", "Jordan", "Kazakhstan",
    "Kenya", "Kiribati", "Kosovo", "Kuwait", "Kyrgyzstan", "Laos", "Latvia", "Lebanon", "Lesotho",
    "Liberia", "Libya", "Liechtenstein", "Lithuania", "Luxembourg", "Madagascar", "Malawi",
    "Malaysia", "Maldives", "Mali", "Malta", "Mauritania", "Mauritius", "Mexico", "Moldova",
    "Monaco", "Mongolia", "Montenegro", "Morocco", "Mozambique", "Myanmar", "Namibia", "Nauru",
    "Nepal", "Netherlands", "New Zealand", "Nicaragua", "Niger", "Nigeria", "North Korea",
    "North Macedonia", "Norway", "Oman", "Pakistan", "Palau", "Panama", "Papua New Guinea",
    "Paraguay", "Peru", "Philippines", "Poland", "Portugal", "Qatar", "Romania", "Russia",
    "Rwanda", "Samoa", "San Marino", "Saudi Arabia", "Senegal", "Serbia", "Seychelles",
    "Sierra Leone", "Singapore", "Slovakia", "Slovenia", "Somalia", "South Africa", "South Korea",
    "South Sudan", "Spain", "Sri Lanka", "Sudan", "Suriname", "Sweden", "Switzerland", "Syria",
    "Taiwan", "Tajikistan", "Tanzania", "Thailand", "Togo", "Tonga", "Trinidad", "Tunisia",
    "Turkey", "Türkiye", "Turkmenistan", "Tuvalu", "Uganda", "Ukraine", "United Arab Emirates",
    "United Kingdom", "UK", "U.K.", "United States", "U.S.", "Uruguay", "Uzbekistan", "Vanuatu",
    "Venezuela", "Vietnam", "Yemen", "Zambia", "Zimbabwe", "Gaza", "West Bank", "Hong Kong",
    "Macau", "Greenland",
]
_NAMES += _COUNTRIES

#: Countries whose capital bears their name ("Singapore, Singapore", "Kuwait, Kuwait"): a
#: dateline's place, not a pairing (:data:`PAIRING`).
_CITY_STATES = {"Singapore", "Luxembourg", "Monaco", "San Marino", "Andorra", "Djibouti", "Kuwait",
                "Panama", "Guatemala", "Mexico", "Hong Kong", "Macau", "Gaza"}

#: A known region after its comma: longest names first, so "New Mexico" is not read as "New".
_ALL = sorted({*_AP_STATES, *_NAMES}, key=len, reverse=True)
REGION = (
    r"\s*,\s*(?:(?i:" + "|".join(re.escape(n) for n in _ALL) + r")|(?:" + "|".join(_POSTAL) + r")\.?)"
    r"(?!\w)"
)

#: A country's name, a comma and another country's (or a UK nation's): two sides, not a place and
#: its country ("Brazil, Argentina – Both sides drew 1-1", "England, Wales – The two sides meet
#: ...", "India, Pakistan – The two countries agreed ..." lost their first words), put before
#: the Title Case place of a dateline.  Not a city state's own name ("Kuwait, Kuwait"), nor a
#: town named after a country in a state ("Lebanon, N.H.", "Peru, Indiana"): Georgia after the
#: comma is the US state's ("Jordan, Georgia –", "Athens, Georgia –" are datelines), before it the
#: country's ("Georgia, Armenia – Both sides ...": it was missing from :data:`_COUNTRIES`, so the
#: pairing was read as a place; "Georgia, Vermont –" is the town and a dateline).
PAIRING = (
    r"(?!(?:" + "|".join(re.escape(n) for n in sorted((set(_COUNTRIES) | {"Georgia"}) - _CITY_STATES, key=len, reverse=True))
    + r")\s*,\s*(?i:" + "|".join(re.escape(n) for n in sorted(_COUNTRIES, key=len, reverse=True))
    + r")(?!\w))"
)
