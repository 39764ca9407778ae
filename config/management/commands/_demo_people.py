"""The people and labels `load_demo_content` creates: kinds, authors, staff logins and readers'
comments.

Kept apart from the command, like _demo_articles.py, so the command reads as a procedure. The
people are invented; the staff passwords are public, which is why the command creates the staff
logins only in development.
"""

from dataclasses import dataclass

from ._demo_articles import BRICS_OP_ED, LONG_ANALYSIS

STAFF_REPLY_NAME = "Byline editors"


@dataclass(frozen=True)
class DemoKind:
    slug: str
    name: str
    description: str


KINDS = (
    DemoKind("analysis", "Analysis", "In-depth examination of a policy question or event."),
    DemoKind("op-ed", "Op-Ed", "An argued opinion from a named contributor."),
    DemoKind("news", "News", "Reporting on what happened and why it matters."),
    DemoKind("commentary", "Commentary", "Shorter expert reaction to recent developments."),
)


@dataclass(frozen=True)
class DemoEducation:
    degree: str
    field: str
    institution: str
    year: int | None = None


@dataclass(frozen=True)
class DemoAuthor:
    slug: str
    name: str
    role: str
    affiliation: str
    bio: str
    portrait: tuple[str, str]  # gradient colours, top to bottom
    website: str = ""
    x_url: str = ""
    linkedin_url: str = ""
    affiliation_url: str = ""
    education: tuple[DemoEducation, ...] = ()  # in the order shown
    expertise: tuple[str, ...] = ()

    @property
    def initials(self):
        words = self.name.replace("-", " ").split()
        return (words[0][0] + words[-1][0]).upper()


AUTHORS = (
    DemoAuthor(
        slug="aishwarya-sanjukta-roy-proma",
        name="Aishwarya Sanjukta Roy Proma",
        role="Research Associate",
        affiliation="BRAC Institute of Governance and Development (BIGD)",
        # Her degrees and fields are data (below), shown beside the bio: it need not repeat them.
        bio=(
            "Aishwarya Sanjukta Roy Proma works as a research analyst in security studies at "
            "BIGD in Dhaka, following how shifts among the great powers reach South Asia."
        ),
        portrait=("#2f4a7a", "#7a4f8a"),
        affiliation_url="https://bigd.bracu.ac.bd/",
        education=(
            DemoEducation("MA", "International Relations", "University of Dhaka"),
            DemoEducation("BA", "International Relations", "University of Dhaka"),
        ),
        expertise=("Security studies", "Sino-Russian relations", "South Asian geopolitics"),
    ),
    DemoAuthor(
        slug="tomas-lindqvist",
        name="Tomás Lindqvist",
        role="Senior Fellow",
        affiliation="Nordhavn Institute for International Affairs",
        bio=(
            "Tomás Lindqvist leads the Nordhavn Institute’s work on Russian foreign and defence "
            "policy and on security in North-East Asia. Before joining the institute he spent "
            "eight years as a political analyst in Helsinki and Seoul."
        ),
        portrait=("#23525c", "#3f7d6b"),
        website="https://example.org/people/tomas-lindqvist",
    ),
    DemoAuthor(
        slug="farhana-quayum",
        name="Farhana Quayum",
        role="Senior Economist",
        affiliation="Meridian Trade Policy Forum",
        bio=(
            "Farhana Quayum studies sanctions, payment systems and trade finance in Asia. She "
            "advises development agencies on export diversification and writes regularly on "
            "South Asia’s place between its larger neighbours."
        ),
        portrait=("#8a3b3b", "#c7793e"),
        linkedin_url="https://www.linkedin.com/in/example-farhana-quayum",
    ),
    DemoAuthor(
        slug="kenji-arakawa-moss",
        name="Kenji Arakawa-Moss",
        role="Eurasia Correspondent",
        affiliation="Byline news desk",
        bio=(
            "Kenji Arakawa-Moss covers diplomacy, energy and transport across Eurasia for "
            "Byline’s news desk, reporting from Almaty, Baku and Istanbul."
        ),
        portrait=("#3a3f58", "#5d6f9a"),
        x_url="https://x.com/example_kenji",
    ),
    DemoAuthor(
        slug="leila-haddad-brennan",
        name="Leila Haddad-Brennan",
        role="Lecturer in International Political Economy",
        affiliation="Kingsbridge University",
        bio=(
            "Leila Haddad-Brennan teaches international political economy at Kingsbridge "
            "University. Her research follows how new multilateral groupings are built, funded "
            "and governed, from development banks to summit clubs."
        ),
        portrait=("#5b2a4e", "#b0546a"),
        website="https://example.org/leila-haddad-brennan",
    ),
)


@dataclass(frozen=True)
class DemoStaff:
    username: str
    password: str
    group: str
    first_name: str
    last_name: str
    may: str  # what the role may do, for the summary
    author_slug: str = ""  # the author profile this account signs in as, if any


STAFF = (
    DemoStaff(
        username="editor",
        password="editor-demo-2026",
        group="Editor",
        first_name="Demo",
        last_name="Editor",
        may="write, schedule and publish articles; manage kinds, bylines, authors and tags. "
        "No access to comments.",
    ),
    DemoStaff(
        username="contributor",
        password="contributor-demo-2026",
        group="Contributor",
        first_name="Kenji",
        last_name="Arakawa-Moss",
        may="write drafts and send them to the editors for review; edit their own author "
        "profile. Cannot publish or touch other people's work.",
        author_slug="kenji-arakawa-moss",
    ),
    DemoStaff(
        username="moderator",
        password="moderator-demo-2026",
        group="Moderator",
        first_name="Demo",
        last_name="Moderator",
        may="review reader comments: approve, mark as spam or remove. No access to articles; "
        "commenters’ email addresses stay hidden.",
    ),
)


@dataclass(frozen=True)
class DemoComment:
    article: str  # Article slug
    name: str
    email: str
    body: str
    website: str = ""
    pending: bool = False  # left in the moderation queue rather than approved
    reply_to: str = ""  # name of an earlier commenter on the same article
    by_staff: bool = False  # written as the publication by the demo editor
    hours_after_publication: float = 2


COMMENTS = (
    DemoComment(
        article=LONG_ANALYSIS.slug,
        name="Tanvir Hossain",
        email="tanvir.hossain@example.org",
        body="A careful piece. The point about Chinese banks is the one most coverage misses: "
        "the yuan settlement figures look impressive until you ask which banks are actually "
        "processing the payments.",
        hours_after_publication=3,
    ),
    DemoComment(
        article=LONG_ANALYSIS.slug,
        name=STAFF_REPLY_NAME,
        email="editors@example.org",
        body="Thank you, Tanvir. Farhana Quayum and Tomás Lindqvist look at exactly that "
        "question in “Sanctions, Payments and the Yuan” – the settlement data are more "
        "complicated than the headlines suggest.",
        reply_to="Tanvir Hossain",
        by_staff=True,
        hours_after_publication=5,
    ),
    DemoComment(
        article=LONG_ANALYSIS.slug,
        name="Marta Kowalczyk",
        email="marta.k@example.org",
        website="https://example.org/marta",
        body="I would push back a little on the North Korea section. Beijing may dislike the "
        "Russia–North Korea treaty, but it has hardly used the leverage it still has. Silence "
        "can also be a choice.",
        hours_after_publication=8,
    ),
    DemoComment(
        article=LONG_ANALYSIS.slug,
        name="Ji-woo Park",
        email="jiwoo.park@example.org",
        body="Fair point, Marta, though from Seoul the leverage looks smaller than it does from "
        "outside. Pyongyang has learned that it can wait Beijing out.",
        reply_to="Marta Kowalczyk",
        hours_after_publication=11,
    ),
    DemoComment(
        article=LONG_ANALYSIS.slug,
        name="Rahul Menon",
        email="rahul.menon@example.org",
        website="https://example.org/rmenon",
        body="“A partnership of conviction on the big questions and of calculation on nearly "
        "everything else” – a useful way to put it. I’d add that India is the main reason "
        "BRICS won’t become the anti-Western bloc Moscow wants.",
        hours_after_publication=20,
    ),
    DemoComment(
        article=LONG_ANALYSIS.slug,
        name="Elena Sorokina",
        email="e.sorokina@example.org",
        body="The gap on gas prices has been the same for years. I’ll believe in Power of "
        "Siberia 2 when the construction contracts are signed, not before.",
        hours_after_publication=26,
    ),
    DemoComment(
        article=LONG_ANALYSIS.slug,
        name="Daniel Acheampong",
        email="daniel.a@example.org",
        body="I’d be interested in a follow-up on how Central Asian governments read all this. "
        "The paragraph on transport corridors deserves an article of its own.",
        pending=True,
        hours_after_publication=40,
    ),
    DemoComment(
        article=LONG_ANALYSIS.slug,
        name="Sophie Laurent",
        email="sophie.laurent@example.org",
        website="https://example.org/sophie",
        body="Good read, but the conclusion feels a little too settled. If Europe’s relations "
        "with China sour further, doesn’t the whole calculation change?",
        pending=True,
        hours_after_publication=52,
    ),
    DemoComment(
        article=BRICS_OP_ED.slug,
        name="Oluwaseun Adeyemi",
        email="seun.adeyemi@example.org",
        body="Agreed on the secretariat. Ten-plus members without permanent staff is a summit, "
        "not an institution.",
        hours_after_publication=4,
    ),
    DemoComment(
        article=BRICS_OP_ED.slug,
        name="Camila Duarte",
        email="camila.duarte@example.org",
        website="https://example.org/camila",
        body="The New Development Bank is the part that works. Perhaps a secretariat should grow "
        "out of it rather than start from nothing?",
        hours_after_publication=9,
    ),
)
