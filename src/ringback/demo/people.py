"""The made-up people of the demo account, and what a seller writes about them.

Names (common American ones, and the local ones of the few contacts abroad, apostrophes and
accents included), companies with a job title, the notes a seller keeps on a contact and on a
touch, and where people live: US area codes by state, with how often each state comes up.
Numbers are made in the ranges reserved for fiction (555-0100 to 555-0199 in North America).

Only data here: :mod:`ringback.demo.builder` draws from these tables with its seeded
generator, so changing one changes the demo (``test_demo_fingerprint`` says so).
"""

from __future__ import annotations

from ringback.core.playbook import Outcome


def _words(*lines: str) -> tuple[str, ...]:
    return tuple(" ".join(lines).split())


WOMEN_FIRST_NAMES = _words(
    "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty "
    "Sandra Ashley Kimberly Donna Emily Michelle Carol Amanda Melissa Deborah Stephanie Rebecca "
    "Laura Sharon Cynthia Kathleen Amy Angela Brenda Emma Anna Pamela Nicole Samantha Katherine "
    "Christine Rachel Carolyn Janet María Catherine Heather Diane Olivia Julie Joyce Victoria Kelly "
    "Christina Lauren Megan Andrea Cheryl Hannah Jacqueline Martha Gloria Teresa Abigail Alice "
    "Judy Sophia Grace Denise Amber Marilyn Danielle Beverly Isabella Theresa Diana Natalie "
    "Brittany Charlotte Kayla Alexis Lori Zoë Renée Chloé Inés José-Luisa Siobhán Aoife Niamh "
    "Saoirse Łucja Małgorzata Agnieszka Priya Ananya Aaliyah Imani Keisha Latoya Shanice Mei "
    "Xiaoling Hiroko Yuki Ji-woo Thuy Linh Fatima Aisha Leila Yasmin Noura Chiara Giulia "
    "Guadalupe Ximena Dolores Consuelo Adaeze Chiamaka Tatiana Oksana Svetlana Maeve Bridget "
    "Colleen Mary-Kate Jo-Ann D'Andra La'Shonda Bernadette Dorothy Esperanza Marisol Rosalind"
)
MEN_FIRST_NAMES = _words(
    "Michael James Robert John David William Richard Joseph Thomas Christopher Daniel Matthew "
    "Anthony Mark Steven Paul Andrew Joshua Kevin Brian George Timothy Ronald Jason Edward Ryan "
    "Gary Nicholas Eric Jacob Frank Scott Justin Brandon Raymond Gregory Samuel Benjamin Patrick "
    "Dennis Tyler Aaron Henry Douglas Peter Nathan Walter Kyle Harold Carl Keith Roger Arthur "
    "Sean Ethan Austin Jesse Willie Bruce Noah Jordan Dylan Wayne Juan Gabriel Louis Vincent "
    "Philip Darnell Marcus Tyrone DeShawn Andre Luis Carlos Miguel Diego Raúl Jesús Héctor Rafael "
    "Rajesh Vikram Arjun Kwame Kofi Chidi Tomasz Piotr Dmitri Hamid Omar Tariq Yusuf Kenji "
    "Hiroshi Wei Jun Duc Minh Seamus Declan Pádraig Eoin Jean-Luc François Benoît Étienne Marco"
)
LAST_NAMES = (
    *_words(
        "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernández López "
        "González Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Pérez Thompson White Harris "
        "Sánchez Clark Ramírez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
        "Flores Green Adams Nelson Hall Rivera Campbell Mitchell Carter Roberts O'Brien O'Connor "
        "O'Neill O'Malley O'Sullivan D'Angelo D'Souza McAllister MacDonald McCarthy Fitzgerald Núñez "
        "Peña Ibáñez Muñoz Castañeda Ordóñez Kowalski Wiśniewski Nowak Zielińska Dvořák Sørensen "
        "Lindqvist Björklund Okafor Adeyemi Mensah Okonkwo Abebe Haile Patel Shah Singh Iyer Reddy "
        "Chatterjee Kim Park Choi Tanaka Yamamoto Sato Chen Wang Zhang Huang Tran Pham Le Khan "
        "Hussein Haddad Al-Sayed Cohen Goldberg Katz Rossi Russo Esposito Bianchi Romano Dubois "
        "Lefèvre Beaumont Fontaine Papadopoulos Ivanova Petrov Horvat Yılmaz Kaur Gill Ng Wong Lam "
        "Fernández Álvarez Gómez Díaz Vargas Castillo Jiménez Moreno Romero Herrera Medina Aguilar "
        "Delgado Ortiz Guzmán Washington Jefferson Freeman Banks Okoro Moreau Schwartz Kaplan "
        "Johnson-Whitaker Smith-Jones Ruiz-Díaz"
    ),
    "Van der Berg",
    "De la Cruz",
    "St. John",
    "van Dijk",
)

LOCAL_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "DE": (
        ("Jürgen", "Günther", "Heike", "Dagmar", "Anneliese", "Matthias", "Stefan", "Katrin", "Uwe", "Jörg"),
        ("Müller", "Schröder", "Weiß", "Becker", "Köhler", "Schmidt", "Hoffmann", "Krüger", "Groß"),
    ),
    "GB": (
        ("Fiona", "Gemma", "Harriet", "Imogen", "Nigel", "Alistair", "Rhiannon", "Callum", "Bethan"),
        ("Hughes", "Evans", "Ó Ceallaigh", "Featherstone", "Pritchard", "Ashworth", "MacLeod"),
    ),
    "AU": (
        ("Kylie", "Bronwyn", "Shane", "Darcy", "Matilda", "Lachlan", "Tahlia", "Bruce", "Mick"),
        ("Nguyen", "Kelly", "O'Loughlin", "Papadopoulos", "Fraser", "Hartigan", "Mackenzie"),
    ),
    "CA": (
        ("Geneviève", "Mathieu", "Élodie", "Siobhan", "Connor", "Amélie", "Rémi", "Jasmine"),
        ("Tremblay", "Gagnon", "Bouchard", "Côté", "MacKinnon", "Pelletier", "Wong", "Singh"),
    ),
}

COMPANIES = (
    ("Lakeside Dental", "Office Manager"),
    ("Hernández & Sons Roofing", "Co-owner"),
    ("Bright Path Realty", "Realtor"),
    ("O'Malley's Pub & Grill", "Events"),
    ("Little Sprouts Daycare", "Director"),
    ("Prairie Yoga Studio", "Owner"),
    ("Windy City Wedding Co.", "Planner"),
    ("Maple Street Bakery", "Owner"),
    ("Northside Chamber of Commerce", "Membership Director"),
    ("Evergreen Property Management", "Leasing Agent"),
    ("Sunrise Senior Living", "Activities Coordinator"),
    ("Café Olé", "Manager"),
    ("Riverbend Church", "Women's Ministry"),
    ("Blue Ribbon Insurance", "Agent"),
    ("Golden Hour Photography", "Photographer"),
    ("St. Agnes PTA", "President"),
    ("Nguyen Family Nail Spa", "Owner"),
    ("Kowalski Hardware", "Store Manager"),
    ("Oak Park Book Club", "Organizer"),
    ("Harbor Fitness", "Personal Trainer"),
    ("Müller Engineering GmbH", "Büroleitung"),
    ("Thistle & Rose Florist", "Owner"),
    ("Summit Credit Union", "Branch Manager"),
    ("Fresh Start Cleaning", "Owner"),
)

NOTES = {
    "party": (
        "Met at Karen's kitchen party; loved the stoneware baker.",
        "Came to the spring open house with her sister.",
        "Won the door prize at Lupe's party, asked about the fall catalog.",
        "Tried the recipe cards at the library fair.",
        "Friend of Jessica's; wants a party before the holidays.",
    ),
    "host": (
        "Interested in hosting in March; has a big kitchen.",
        "Asked about the host rewards; has a book club of 12.",
        "Hosted two years ago; might host again.",
    ),
    "recruit": (
        "Asked how the business kit works; teacher, summers off.",
        "Wants extra income around school hours.",
        "Curious about the sponsoring promotion.",
    ),
    "customer": (
        "Loves the cast-iron line; reorders every fall.",
        "Bought the starter set for her daughter's wedding.",
        "Regular at parties; refers friends.",
        "Ordered the holiday gift bundle last year.",
    ),
    "networking": (
        "Met at the chamber breakfast; same target market (young families).",
        "Business card from the bridal expo.",
        "Runs a moms' group; could partner on a charity event.",
    ),
    "stranger": (
        "Referral from Denise; has not met me yet.",
        "Signed up for the newsletter at the farmers' market.",
        "Left a card in the fishbowl at the expo.",
    ),
    "tips": (
        "Prefers texts after 6 pm.",
        "Has two toddlers: call after nap time (2–4 pm).",
        "Works nights as a nurse; mornings are bad.",
        "Best reached on her cell.",
        "Husband answers the home phone.",
        "Vegetarian; send the veggie recipe cards.",
        "",
        "",
        "",
    ),
}

TOUCH_NOTES: dict[Outcome, tuple[str, ...]] = {
    Outcome.VOICEMAIL: ("Left the 30-second message.", "Left message, mentioned the offer.", "", ""),
    Outcome.NO_ANSWER: ("Rang out, no voicemail set up.", "", ""),
    Outcome.BUSY: ("Line busy.", ""),
    Outcome.MAILED: ("Handwritten card, same pen.", "Postcard with the recipe tip.", ""),
    Outcome.EMAILED: ("", "Sent the recipe PDF."),
    Outcome.CONNECTED: (
        "Great chat! Booking a party for next month.",
        "Wants the catalog and a call after payday.",
        "Interested in the business kit; sending details.",
        "Placed an order over the phone.",
    ),
    Outcome.CALLBACK: (
        "Left me a voicemail: 'got your note, call me tonight'.",
        "Texted back: call after 5, please.",
        "Called back while I was at a party; wants to host!",
    ),
    Outcome.NOT_INTERESTED: (
        "Happy with what she has; wished her well.",
        "Not a good time, moving this summer.",
        "No thanks, politely.",
    ),
    Outcome.DO_NOT_CONTACT: ("Asked to be removed from my list.",),
    Outcome.WRONG_NUMBER: ("Number belongs to a dentist's office now.", "Wrong number, an older gentleman."),
}

#: What a seller notes when someone answers her email (a reply is logged as a call back by email).
REPLY_NOTES = (
    "Replied to the email: loved the recipe, wants to hear more.",
    "Answered my email: 'call me Thursday evening'.",
    "Wrote back asking about the fall catalog.",
)

# US area codes (with the 555-0100..0199 range reserved for fiction), by state.
US_AREAS: dict[str, tuple[str, ...]] = {
    "IL": ("312", "773", "847", "630", "217"),
    "FL": ("305", "407", "813", "904"),
    "OK": ("405", "918"),
    "MD": ("410", "301"),
    "NY": ("212", "718", "516", "585"),
    "CA": ("415", "213", "619", "916", "510"),
    "TX": ("512", "713", "214", "210"),
    "GA": ("404",),
    "CO": ("303",),
    "AZ": ("602",),
    "MA": ("617",),
    "OH": ("614",),
    "PA": ("215",),
    "MI": ("313",),
    "NC": ("704",),
    "MN": ("612",),
    "TN": ("615",),
    "WI": ("414",),
    "MO": ("314",),
}
US_WEIGHTS = {
    "IL": 30, "FL": 7, "OK": 4, "MD": 4, "NY": 7, "CA": 7, "TX": 8, "GA": 3, "CO": 2, "AZ": 2,
    "MA": 2, "OH": 3, "PA": 2, "MI": 3, "NC": 2, "MN": 3, "TN": 2, "WI": 4, "MO": 3,
}  # fmt: skip
#: A city and ZIP code in each state, for the postal addresses of the demo's people.
US_CITIES: dict[str, tuple[str, str]] = {
    "IL": ("Springfield", "62701"), "FL": ("Orlando", "32801"), "OK": ("Tulsa", "74103"),
    "MD": ("Baltimore", "21201"), "NY": ("Albany", "12207"), "CA": ("Sacramento", "95814"),
    "TX": ("Austin", "78701"), "GA": ("Atlanta", "30303"), "CO": ("Denver", "80202"),
    "AZ": ("Phoenix", "85004"), "MA": ("Boston", "02108"), "OH": ("Columbus", "43215"),
    "PA": ("Philadelphia", "19103"), "MI": ("Detroit", "48226"), "NC": ("Charlotte", "28202"),
    "MN": ("Minneapolis", "55401"), "TN": ("Nashville", "37203"), "WI": ("Milwaukee", "53202"),
    "MO": ("St. Louis", "63101"),
}  # fmt: skip
STREETS = (
    "Oak Lane",
    "Maple Avenue",
    "Elm Street",
    "Cedar Court",
    "Lakeview Drive",
    "Birch Road",
    "Main Street",
)
#: States every demo shows (stricter calling rules in FL, OK, MD).
MUST_STATES = ("IL", "FL", "OK", "MD", "NY", "CA", "TX")
#: Central time, so that an appointment fits the seller's day.
CENTRAL_STATES = ("IL", "TX", "MN", "WI", "MO", "TN")
ABROAD = ("DE", "GB", "AU", "CA")
ABROAD_ZONES = {"DE": "Europe/Berlin", "GB": "Europe/London", "AU": "Australia/Sydney"}

#: What a seller notes when booking a phone appointment.
APPOINTMENT_NOTES = (
    "Party date and guest list",
    "Wants to hear about the business kit",
    "Go over her wish list",
)
