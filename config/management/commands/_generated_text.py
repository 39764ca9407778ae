"""Invented words for `generate_content`: names, titles, paragraphs and comments, drawn from a
`random.Random` so that one seed always gives the same publication.

Bodies are built from a pool of paragraphs made once per run, already in the form the admin
stores (`articles.sanitize.sanitize_html` leaves them unchanged), each with its word count, so
that a 9 KB body costs a join and a sum rather than parsing HTML 100,000 times.
"""

import itertools
from dataclasses import dataclass

from articles.sanitize import plain_text, sanitize_html


def _words(text):
    return tuple(text.split())


FIRST_NAMES = _words(
    "Amara Ananya Anders Aiko Beatriz Bilal Camille Chen Dalia Dmitri Elena Emeka Farah Felix "
    "Grace Hamid Hana Ibrahim Ines Jamal Julia Kenji Kofi Laila Lars Leila Lucas Maya Mehmet "
    "Mina Nadia Nikhil Noor Olga Omar Priya Rafael Rania Samir Sara Sofia Tariq Tomás Uma "
    "Valentina Wei Yara Yusuf Zainab Zoltan"
)

LAST_NAMES = _words(
    "Abara Adeyemi Alvarez Andersen Bakr Banerjee Castillo Chowdhury Dahl Das Delgado Eriksen "
    "Farouk Fischer Gallo Haddad Hashemi Ivanova Jensen Kamara Khan Kowalski Lindqvist Mensah "
    "Moreau Nakamura Novak Okafor Oliveira Park Petrov Quinn Rahman Rossi Sato Schmidt Silva "
    "Suzuki Tanaka Torres Umarov Varga Wang Weber Yilmaz Zhang Zubiri"
)

ROLES = (
    "Research Associate",
    "Senior Fellow",
    "Visiting Scholar",
    "Correspondent",
    "Economics Editor",
    "Programme Director",
    "Associate Professor",
    "Policy Analyst",
)

INSTITUTIONS = (
    "Institute for Policy Studies",
    "University of Dhaka",
    "Kingsbridge University",
    "Centre for Maritime Affairs",
    "Lagos School of Economics",
    "Nordic Trade Forum",
    "Andean Development Institute",
    "Pacific Security Council",
)

DEGREES = ("BA", "MA", "MSc", "MPhil", "PhD")

FIELDS = (
    "International Relations",
    "Economics",
    "Political Science",
    "Development Studies",
    "Public Policy",
    "History",
)

TOPIC_WORDS = _words(
    "trade tariffs shipping ports sanctions energy oil gas grain fisheries climate water "
    "elections parliament courts media migration labour unions wages inflation currency debt "
    "banks credit housing health vaccines schools universities science space defence navy "
    "borders treaties alliances diplomacy aid famine drought floods forests mining lithium "
    "copper chips semiconductors railways roads aviation tourism pensions taxes budgets "
    "subsidies farming fertiliser cities transit cybersecurity privacy telecoms satellites"
)

REGIONS = _words(
    "Asia Africa Europe Latin-America Middle-East Arctic Pacific Balkans Caucasus Sahel "
    "Caribbean Baltic Mekong Andes Gulf Horn-of-Africa Central-Asia South-Asia Maghreb Levant"
)

NOUNS = _words(
    "government ministry coalition parliament court council agency central bank regulator "
    "port authority trade bloc alliance opposition union delegation summit treaty proposal "
    "budget reform tariff schedule export ban subsidy scheme pipeline corridor election "
    "referendum ceasefire market investor exporter importer shipper farmer household"
)

VERBS = _words(
    "announced delayed rejected endorsed reshaped weakened strengthened questioned revived "
    "postponed expanded narrowed challenged defended financed blocked approved reconsidered"
)

ADJECTIVES = _words(
    "regional national cautious ambitious contested fragile durable costly overdue modest "
    "sweeping gradual temporary lasting uneven decisive informal formal quiet public"
)

CONNECTIVES = (
    "Meanwhile,",
    "In practice,",
    "For now,",
    "Even so,",
    "By contrast,",
    "As a result,",
    "Crucially,",
    "In the longer run,",
    "On paper,",
    "At the same time,",
)

HEADINGS = (
    "What changed",
    "Why it matters",
    "The numbers",
    "Who gains, who loses",
    "What comes next",
    "The regional picture",
    "A closer look",
    "Risks ahead",
)

COMMENT_OPENERS = (
    "Good piece, but",
    "I am not convinced that",
    "Thanks for this.",
    "Interesting point about",
    "As someone who works in this area,",
    "This misses the fact that",
    "Agreed.",
    "Could you say more about",
    "The figures here suggest",
    "Living nearby, I can say",
)


def phrase(rng):
    return f"the {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"


def sentence(rng):
    """One plausible sentence of 12 to 30 words."""
    parts = [
        phrase(rng).capitalize(),
        rng.choice(VERBS),
        phrase(rng),
        f"on {rng.choice(TOPIC_WORDS)}",
    ]
    if rng.random() < 0.6:
        parts.append(f"in the {rng.choice(REGIONS).replace('-', ' ')}")
    if rng.random() < 0.5:
        parts.append(f"after {phrase(rng)} {rng.choice(VERBS)} {phrase(rng)}")
    if rng.random() < 0.3:
        parts.insert(0, rng.choice(CONNECTIVES))
        parts[1] = parts[1][0].lower() + parts[1][1:]
    return " ".join(parts) + "."


@dataclass(frozen=True)
class Fragment:
    """A piece of a stored body: sanitised HTML and the words a reader sees in it."""

    html: str
    words: int


def paragraph_pool(rng, size):
    """`size` paragraphs of about 650 characters, some with emphasis, a link or a quote."""
    pool = []
    for n in range(size):
        text = " ".join(sentence(rng) for _ in range(rng.randint(4, 6)))
        if n % 7 == 0:
            word = rng.choice(TOPIC_WORDS)
            text = text.replace(f" {word}", f' <a href="/tags/{word}/">{word}</a>', 1)
        if n % 5 == 0:
            text = text.replace(" the ", " the <em>", 1).replace(" on ", "</em> on ", 1)
        html = f"<blockquote><p>{text}</p></blockquote>" if n % 23 == 0 else f"<p>{text}</p>"
        html = sanitize_html(html)
        pool.append(Fragment(html, len(plain_text(html).split())))
    return pool


HEADING_FRAGMENTS = [Fragment(f"<h2>{heading}</h2>", len(heading.split())) for heading in HEADINGS]


def body(rng, pool, target_bytes=9000):
    """A stored body of about `target_bytes` and its word count: paragraphs from `pool` with
    a heading every few paragraphs."""
    parts, size, words = [], 0, 0
    while size < target_bytes:
        heading_due = parts and len(parts) % 4 == 0
        piece = rng.choice(HEADING_FRAGMENTS if heading_due else pool)
        parts.append(piece.html)
        size += len(piece.html)
        words += piece.words
    return "".join(parts), words


def title(rng):
    topic = rng.choice(TOPIC_WORDS).capitalize()
    region = rng.choice(REGIONS).replace("-", " ")
    return rng.choice(
        (
            f"{topic} in the {region}: {rng.choice(ADJECTIVES)} steps",
            f"Why {topic.lower()} matters for the {region}",
            f"The {rng.choice(ADJECTIVES)} politics of {topic.lower()}",
            f"{topic} after the {rng.choice(NOUNS)}",
            f"What the {rng.choice(NOUNS)} means for {topic.lower()}",
        )
    )


def standfirst(rng):
    return f"{sentence(rng)} {sentence(rng)}"


def comment_text(rng):
    opener = rng.choice(COMMENT_OPENERS)
    return " ".join([opener, *(sentence(rng) for _ in range(rng.randint(1, 4)))])


def person_name(rng):
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def tag_names(rng, count, taken=frozenset()):
    """`count` distinct tag names not in `taken` (lower-cased names): topics, regions, and
    pairs of them once those run out."""
    singles = [word.capitalize() for word in TOPIC_WORDS] + [
        region.replace("-", " ") for region in REGIONS
    ]
    pairs = (f"{a} {b.lower()}" for a, b in itertools.product(singles, singles) if a != b)
    numbered = (f"Topic {n}" for n in itertools.count(1))
    names = []
    for name in itertools.chain(singles, pairs, numbered):
        if name.lower() not in taken:
            names.append(name)
        if len(names) == count:
            break
    rng.shuffle(names)
    return names
