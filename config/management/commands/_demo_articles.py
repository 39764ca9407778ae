"""The articles `load_demo_content` publishes: their words, bylines, tags and pictures.

Kept apart from the command so the command reads as a procedure and this file reads as copy.
Every text here was written for the demo. The people, institutions and events in the shorter
pieces are partly invented; none of it is reporting.

Bodies are written as plain paragraphs separated by blank lines (see `_html`); a block that
already starts with a tag (`<h2>`, `<blockquote>`) is kept as it is.
"""

import datetime
from dataclasses import dataclass

DRAFT = "draft"
PUBLISHED = "published"


def _html(text):
    """Turn blank-line-separated blocks into HTML: plain blocks become `<p>` paragraphs."""
    blocks = (" ".join(block.split()) for block in text.strip().split("\n\n"))
    return "\n".join(block if block.startswith("<") else f"<p>{block}</p>" for block in blocks)


@dataclass(frozen=True)
class Palette:
    """Colours for a generated featured image: a background gradient and two accents."""

    start: str
    end: str
    accents: tuple[str, str]


@dataclass(frozen=True)
class FeaturedImage:
    alt: str
    caption: str
    palette: Palette


@dataclass(frozen=True)
class DemoArticle:
    slug: str
    title: str
    kind: str  # a Kind slug
    authors: tuple[str, ...]  # Author slugs, in byline order
    tags: tuple[str, ...]
    standfirst: str
    body: str
    status: str = PUBLISHED
    # When it goes live, counted from the first run: negative is in the past, positive is
    # scheduled. None for drafts.
    publish_offset: datetime.timedelta | None = None
    image: FeaturedImage | None = None

    @property
    def is_scheduled(self):
        return self.status == PUBLISHED and self.publish_offset > datetime.timedelta(0)


def days(n):
    return datetime.timedelta(days=n)


LONG_ANALYSIS = DemoArticle(
    slug="wang-yi-in-moscow-how-far-does-the-sino-russian-alignment-go",
    title="Wang Yi in Moscow: How Far Does the Sino-Russian Alignment Go?",
    kind="analysis",
    authors=("aishwarya-sanjukta-roy-proma",),
    tags=("China", "Russia", "Ukraine", "BRICS", "North Korea", "Diplomacy"),
    standfirst=(
        "China’s foreign minister came to Moscow with warm words and few new commitments. "
        "The visit shows a partnership that runs deep where interests overlap – and is "
        "carefully bounded where they do not."
    ),
    publish_offset=-days(6),
    image=FeaturedImage(
        alt="Two large translucent discs, one red and one gold, overlapping on a deep blue "
        "background crossed by fine diagonal lines.",
        caption="Overlapping, not merged: an abstract illustration of the Sino-Russian "
        "partnership. Illustration: Byline.",
        palette=Palette("#0d1b3d", "#0f4c5c", ("#c8453c", "#e0b450")),
    ),
    body=_html("""
When China’s most senior diplomat arrives in Moscow, the choreography hardly varies: a
handshake in a gilded hall, long hours behind closed doors, and a closing statement praising
relations that are said to be “the best in their history”. Wang Yi’s latest visit kept closely
to that script. Yet the familiar ritual hides a more interesting question, one that matters in
Kyiv and Washington as much as in the capitals of Asia: how far is Beijing really prepared to
go for its northern neighbour?

The short answer is that the alignment is real, durable and useful to both sides – but it is
not an alliance, and neither government wants it to become one. Reading the visit correctly
depends on keeping those two things apart.

<h2>Shared grievances, unequal weight</h2>

The foundations of today’s relationship were laid well before the war in Ukraine. Settling the
long border in the 2000s removed the dispute that had poisoned relations for decades and, at
times, brought the two countries to the edge of open conflict. The Shanghai Cooperation
Organisation gave them a forum in which to manage Central Asia together rather than compete
for it. Above all, the two leaderships came to share a diagnosis of the international order:
dominated by the United States, hostile to their political systems and overdue for revision.

That diagnosis was written into the joint statement the two governments issued in February
2022, only weeks before Russian troops crossed into Ukraine, which declared that their
friendship had “no limits”. Much of the commentary since has treated the phrase as a pledge.
It is better read as a statement of direction: both sides committed themselves to opposing
what they call Western hegemony, without saying what either would do – or risk – for the other.

Wang’s visit reaffirmed that direction. The two sides spoke of coordinating their positions
at the United Nations, of resisting “unilateral sanctions” and of building what both
describe as a multipolar world. None of this is new, but the consistency is itself the
message. Years of war, Western pressure and economic disruption have not pushed the two
apart; if anything, they have given each a stronger reason to keep the other close.

Military cooperation has deepened too, if more slowly than alarmed accounts suggest. The two
armed forces exercise together regularly, and their long-range bombers have flown joint
patrols near Japan and, more recently, off Alaska. These flights send a political signal and
build familiarity between two militaries that once planned to fight each other. They do not
add up to an integrated command or a mutual defence commitment, and there is no sign that
either side wants one.

If the politics are roughly symmetrical, the economics are not. Bilateral trade has grown
sharply since 2022, to somewhere around $240 billion a year, as Russia redirected oil, gas
and coal eastward and Chinese carmakers, electronics firms and machinery suppliers filled the
space left by departing Western companies. For Moscow, China is now an indispensable market
and supplier. For Beijing, Russia is a valuable source of discounted energy but a modest share
of its total trade – far behind the European Union, the United States or South-East Asia.

That imbalance shapes every negotiation. The long-discussed Power of Siberia 2 pipeline,
which would carry gas from western Siberia to China across Mongolia, is the clearest example.
Moscow needs the project to replace the European customers it has lost; Beijing, with other
suppliers to choose from and an energy transition of its own under way, has felt no urgency
to settle price or financing. Each round of talks produces hopeful language and very little
that is signed.

Payments tell a similar story. Almost all trade between the two is now settled in roubles and
yuan, a shift both governments present as a victory over the dollar. In practice, China’s
large state-owned banks, with their global exposure, have become markedly more cautious as
the threat of American secondary sanctions has sharpened. Smaller regional lenders and
improvised channels carry more of the load, with more friction and at higher cost. Beijing’s
support for the Russian economy is substantial, but it stops where it would endanger China’s
own access to Western markets and finance.

<blockquote><p>Beijing is willing to be Russia’s indispensable partner. It is not willing to
be its co-belligerent – and nearly every choice it makes is designed to keep that line in
plain sight.</p></blockquote>

<h2>Where the limits lie</h2>

On Ukraine, China’s stated position has barely moved. Beijing calls for respect for the
sovereignty of every state while declining to condemn the invasion, and it points to its 2023
position paper – twelve points, generous on principles and thin on mechanisms – as proof of its
role as a would-be peacemaker. In Moscow, Chinese officials again said that dialogue was the
only way out of the conflict and that the “legitimate security concerns” of all parties must
be addressed, a formula the Kremlin is happy to hear as endorsement.

What China does matters more than what it says. There is little evidence that Beijing has
sent finished weapons to Russia in any quantity, a line it seems determined to hold. Western
governments, however, have repeatedly accused Chinese firms of exporting dual-use goods –
machine tools, microelectronics, drone components – that keep Russia’s defence industry
running. Beijing answers that this is ordinary commerce and that its controls on military
exports are strict. The truth sits somewhere in between: a state that does not direct the
flow, but does little to stop it.

Call it neutrality with a tilt. China wants Russia to avoid defeat, because a collapse would
leave Beijing facing a confident West on its own and could unsettle a long shared border. It
does not need Russia to win outright, though, and it has good reasons to want the war over.
The conflict strains China’s relations with Europe, one of its most important export
markets, and keeps the question of Chinese complicity at the top of the agenda whenever
European leaders come to Beijing.

The most delicate part of the picture lies further east. Russia’s comprehensive strategic
partnership treaty with North Korea, signed in 2024, and the reported deployment of North
Korean soldiers alongside Russian forces, have created a triangle in which China is the least
enthusiastic corner. Pyongyang has long depended on Beijing for trade and diplomatic cover. A
second patron in Moscow, ready to trade military know-how for artillery shells and troops,
weakens China’s leverage over a neighbour whose conduct bears directly on China’s security.

Chinese officials have said remarkably little about the Russia–North Korea relationship,
neither blessing nor criticising it. The silence should not be mistaken for comfort. A more
capable and more confident North Korea pushes the United States, Japan and South Korea into
closer military cooperation – exactly the kind of regional grouping Beijing has worked for
years to prevent. Whatever was said about the Korean Peninsula in Moscow, the two capitals are
unlikely to see it the same way.

BRICS is more comfortable ground. The group’s enlargement, which brought in Egypt, Ethiopia,
Iran and the United Arab Emirates among others, gives both countries a stage on which to argue
that it is the West, not they, who stands apart from the rest of the world. Moscow uses BRICS
to show that sanctions have not made it a pariah; Beijing uses it to widen its reach across
the global South and to promote alternatives to Western-led financial institutions.

Even here the two are not identical. Russia would like BRICS to become an openly anti-Western
bloc with payment systems built to get around sanctions. China – and still more India, Brazil
and South Africa – prefers a looser club that complements existing institutions rather than
confronting them. Talk of a common BRICS currency has faded into statements about local
currencies and interoperable payment links. The rhetoric of unity is stronger than the
plumbing beneath it.

Central Asia is a quieter test of the same balance. For three decades an informal division of
labour – Russia as security guarantor, China as banker and builder – kept competition between
them in check. The war has loosened that arrangement. Central Asian governments, unsettled by
Moscow’s readiness to redraw borders by force, have welcomed Chinese investment and new
transport corridors that bypass Russia. Beijing has been careful not to advertise its gains,
but its weight in the region is growing at Russia’s expense, and both sides know it.

What, then, did the visit achieve? For Moscow, it was fresh evidence that its most important
partner remains committed, and a signal to Western capitals that pressure on Russia will not
produce Chinese distance. For Beijing, it was a chance to reassure Russia without promising
anything that would cost it in Europe or invite new American penalties – while keeping a seat
for itself at whatever negotiation eventually ends the war.

For everyone else, the lesson is to take the alignment seriously without inflating it.
Policies that treat China and Russia as a single bloc, to be confronted as one, risk making
that prophecy come true. Policies that assume a wedge can easily be driven between them
ignore three decades of patient convergence. The relationship is best understood as a
partnership of conviction on the big questions of world order, and a partnership of
calculation on nearly everything else.

Three things are worth watching in the months ahead. First, whether the pipeline talks finally
yield a binding contract, which would show Beijing accepting long-term reliance on Russian
energy. Second, whether China’s largest banks return to business with Russian counterparts or
keep pulling back as enforcement tightens. Third, whether Beijing takes a more active part in
talks on Ukraine – and, if it does, whether it uses its influence in Moscow to press for a
settlement or merely to be present at one.

None of this will be settled by a single visit. But each of these questions will show, more
clearly than any joint statement, how far the “no limits” partnership actually reaches — and
where, quietly and deliberately, Beijing has drawn its own lines.
"""),
)


BRICS_OP_ED = DemoArticle(
    slug="brics-has-grown-larger-now-it-has-to-grow-up",
    title="BRICS Has Grown Larger. Now It Has to Grow Up",
    kind="op-ed",
    authors=("leila-haddad-brennan",),
    tags=("BRICS", "China", "Global South", "Trade"),
    standfirst=(
        "Enlargement gave the group new weight and new arguments. Without a permanent "
        "secretariat and clearer rules, it risks becoming a summit with nothing in between."
    ),
    publish_offset=-days(4),
    image=FeaturedImage(
        alt="Two overlapping translucent discs in orange and violet on a warm plum gradient.",
        caption="A crowded table: BRICS now brings together more than twice its original "
        "membership. Illustration: Byline.",
        palette=Palette("#3b1642", "#a4493d", ("#f2a541", "#7d5ba6")),
    ),
    body=_html("""
Every BRICS summit now ends with the same photograph: a longer line of leaders, a wider stage
and a host eager to announce who else has asked to join. The grouping that began life as an
investment bank’s shorthand for fast-growing economies has become one of the most sought-after
clubs in international politics.

Enlargement was a political success. It showed that Western efforts to isolate Russia found
little echo across much of Africa, Asia and Latin America, and it gave China a forum in which
its language of development and sovereignty is heard sympathetically. For the newer members,
a seat at the table is a hedge – a way to signal independence without breaking with anyone.

But a club that grows without institutions becomes harder to run, not easier. BRICS still has
no permanent secretariat. The chair rotates every year, each host sets its own priorities, and
continuity depends on the goodwill of a few senior officials. With five members that was
manageable. With ten or more, several of them regional rivals, it is a recipe for communiqués
that mention everything and commit to nothing.

The New Development Bank shows what a real institution can do. It has financed roads, water
and clean energy across its members and raised money in local currencies. It also shows the
limits of ambition: when sanctions were imposed on Russia in 2022, the bank put new Russian
business on hold to protect its own standing in the markets it borrows from.

A small permanent secretariat – a few dozen staff, a modest budget and a mandate to follow
commitments from one summit to the next – would not turn BRICS into a bloc. It would make the
group a more serious partner for the G20, and give smaller members a voice between summits
rather than only at them.

The alternative is familiar from other forums that grew faster than their machinery: annual
declarations, ever-longer lists of working groups and a slow loss of credibility. BRICS
members say they want a fairer international order. Building an institution that works would
be a good place to show what they mean.
"""),
)


RAIL_FREIGHT_NEWS = DemoArticle(
    slug="china-europe-rail-freight-shifts-south",
    title="China–Europe Rail Freight Shifts South as Shippers Weigh Sanctions Risk",
    kind="news",
    authors=("kenji-arakawa-moss",),
    tags=("China", "Russia", "Central Asia", "Trade"),
    standfirst=(
        "Forwarders report growing demand for routes that avoid Russian territory, even at "
        "higher cost, as European compliance teams take a harder line."
    ),
    publish_offset=-days(2),
    body=_html("""
Freight forwarders moving goods between China and Europe say a growing share of their
customers are asking for routes that avoid Russian territory altogether, accepting higher
costs and longer journeys as compliance departments in Europe take a stricter view of
sanctions risk.

The main alternative, often called the Middle Corridor, runs from western China through
Kazakhstan, across the Caspian Sea by ferry to Azerbaijan and on through Georgia and Turkey.
Operators describe it as slower and less predictable than the northern route through Russia
and Belarus, with queues at Caspian ports and repeated transfers between rail systems.

Several logistics managers told Byline that customers shipping electronics and machinery were
the most cautious, because those goods attract the closest scrutiny from customs authorities
and banks. Consumer goods and bulk cargo have been slower to move.

Governments along the route have responded with investment plans: larger Caspian ports, new
rail links and promises of simpler customs procedures through shared digital documents.
Progress has been uneven, and capacity remains a fraction of the northern corridor’s.

The route through Russia still carries most overland freight between China and Europe, and
both Beijing and Moscow continue to promote it. But the shift shows how sanctions reshape
trade well beyond the countries they target – and how Central Asian states are positioning
themselves as indispensable transit partners.
"""),
)


YUAN_COMMENTARY = DemoArticle(
    slug="sanctions-payments-and-the-yuan",
    title="Sanctions, Payments and the Yuan: What the Settlement Data Really Show",
    kind="commentary",
    authors=("farhana-quayum", "tomas-lindqvist"),
    tags=("China", "Russia", "Sanctions", "Finance"),
    standfirst=(
        "Nearly all Sino-Russian trade is now settled in roubles and yuan. The figure says "
        "more about necessity than about strength."
    ),
    publish_offset=-days(9),
    image=FeaturedImage(
        alt="Two overlapping discs in pale green and gold, ringed by faint circles, on a dark "
        "green gradient.",
        caption="Settlement in national currencies has become the norm between Moscow and "
        "Beijing. Illustration: Byline.",
        palette=Palette("#0b2b26", "#1f5e4a", ("#9fd4a3", "#e8d08a")),
    ),
    body=_html("""
Few statistics are quoted as often in discussions of Chinese–Russian relations as the share of
bilateral trade settled in national currencies. Officials in both capitals report that almost
all of it now is, and present the figure as proof that sanctions are failing and the dollar’s
reign is ending.

The number is accurate as far as it goes. But it measures the currency on the invoice, not the
health of the system that moves the money. Behind it sits a payments network that has become
slower, costlier and more fragmented.

Since Washington warned foreign banks that dealing with Russia’s military-industrial base could
expose them to secondary sanctions, China’s largest lenders have tightened their checks, asked
for more documentation and turned away transactions. Russian importers describe delays of
weeks. Part of the trade has moved to small regional banks, barter-like netting arrangements
and intermediaries in third countries.

For Russia this is a cost rather than a catastrophe: goods still arrive, but they arrive later
and dearer. For China it is a reminder that its banking system remains tied to the dollar.
Banks with international business cannot afford to lose access to it, whatever the political
mood in Beijing.

The lesson is that de-dollarisation as a political slogan and as a financial reality are
different things. The yuan’s use in trade with sanctioned partners will keep growing. Its use
as a global funding and reserve currency depends on an openness of China’s capital account
that Beijing is not prepared to grant.

Read the settlement data, then, as a measure of necessity. They show that Moscow has few
alternatives, and that Beijing is willing to help – on terms that protect its own banks first.
"""),
)


NORTH_KOREA_ANALYSIS = DemoArticle(
    slug="pyongyangs-moscow-dividend",
    title="Pyongyang’s Moscow Dividend and the Limits of Beijing’s Patience",
    kind="analysis",
    authors=("tomas-lindqvist",),
    tags=("North Korea", "Russia", "China", "Korean Peninsula"),
    standfirst=(
        "The war in Ukraine has handed North Korea a second patron. China is watching its "
        "leverage shrink – and saying very little about it."
    ),
    publish_offset=-days(12),
    image=FeaturedImage(
        alt="Two overlapping discs, one crimson and one pale grey, on a cold blue-grey gradient.",
        caption="A second patron for Pyongyang changes the calculations of every neighbour. "
        "Illustration: Byline.",
        palette=Palette("#1c2430", "#4a5a6e", ("#b8323a", "#c9d3dd")),
    ),
    body=_html("""
For most of its history North Korea has survived by playing its larger neighbours against each
other, taking aid from one while courting the other. The war in Ukraine has given Pyongyang its
best opportunity to do so in decades.

Russia needs artillery shells, missiles and, by many accounts, soldiers. North Korea can supply
all three. In return it gains hard currency, food and fuel and – most worrying for its
neighbours – possible access to Russian expertise in satellites, submarines and air defence.

For China the arrangement is awkward. Beijing has long been Pyongyang’s economic lifeline and
has preferred a North Korea that is isolated but contained. A North Korea with a second patron
is less dependent on China, less predictable and more tempted to test the limits.

Beijing’s public response has been restraint. It has not criticised the Russia–North Korea
treaty, and it has avoided anything that might push Pyongyang further towards Moscow. Behind
the silence, though, exchanges between Beijing and Pyongyang have been noticeably cooler.

The likely result is not a rupture but a quiet contest for influence in Pyongyang, in which
China’s economic weight should prove decisive once the war ends. For Seoul, Tokyo and
Washington, the harder question is whether to treat Beijing as part of the problem or as part
of any solution.
"""),
)


BANGLADESH_COMMENTARY = DemoArticle(
    slug="why-dhaka-keeps-every-door-open",
    title="Why Dhaka Keeps Every Door Open",
    kind="commentary",
    authors=("farhana-quayum",),
    tags=("Bangladesh", "China", "India", "Diplomacy"),
    standfirst=(
        "Bangladesh buys from China, sells to Europe and America, borrows from Japan and shares "
        "almost all its land border with India. Hedging is not indecision; it is the strategy."
    ),
    publish_offset=-days(15),
    image=FeaturedImage(
        alt="Two overlapping discs in coral and pale sage on a river-blue gradient.",
        caption="Between larger neighbours: Bangladesh’s foreign policy rests on keeping "
        "options open. Illustration: Byline.",
        palette=Palette("#0f3b57", "#2a8c8c", ("#f08a6c", "#f4e2b8")),
    ),
    body=_html("""
Few countries show the craft of hedging as clearly as Bangladesh. China is its largest source
of imports; Europe and the United States buy most of the garments that drive its exports; Japan
is a leading source of development finance; and India surrounds it on almost every side.

Successive governments in Dhaka have refused to choose among them. Chinese-financed bridges and
power plants stand alongside Japanese-funded transport projects and Indian lines of credit,
and each partner is reminded, politely, that it is not the only one.

The pressure to choose is growing. Rivalry between India and China reaches into the Bay of
Bengal, Washington’s Indo-Pacific strategy asks partners to take clearer positions, and
questions about debt have made every large loan a subject of public argument.

The Rohingya refugee crisis adds a further constraint. Any lasting solution needs China’s
influence in Myanmar and Western humanitarian funding at the same time – one more reason why
Dhaka cannot afford to close a door.

Balancing of this kind is a strategy, not a failure to have one. But it needs institutions to
match: transparent appraisal of projects, clear priorities, and the capacity to say no to a
generous offer when the terms are wrong.
"""),
)


CEASEFIRE_DRAFT = DemoArticle(
    slug="what-a-ceasefire-in-ukraine-would-mean-for-central-asia",
    title="What a Ceasefire in Ukraine Would Mean for Central Asia",
    kind="analysis",
    authors=("kenji-arakawa-moss",),
    tags=("Ukraine", "Central Asia", "Russia"),
    standfirst="Draft – the region has adapted to the war. It may find peace harder to manage.",
    status=DRAFT,
    body=_html("""
Central Asian governments have spent the war quietly adapting: re-exporting goods to Russia,
courting Chinese investment and opening transport routes that avoid Russian territory.

A ceasefire would not simply reverse those changes. Some Western sanctions would stay in place,
and the new corridors would keep their value as insurance.

[Editor’s note: needs a section on migrant workers and remittances before it goes out.]

The bigger question is how a Russia freed from the war would behave towards a region that has
grown more independent in its absence.
"""),
)


WEEK_AHEAD_SCHEDULED = DemoArticle(
    slug="the-week-ahead-in-eurasian-diplomacy",
    title="The Week Ahead in Eurasian Diplomacy",
    kind="news",
    authors=("kenji-arakawa-moss",),
    tags=("Diplomacy", "China", "Russia", "BRICS"),
    standfirst="Ministers, summits and a pipeline that never quite gets signed: what we are "
    "watching over the coming days.",
    publish_offset=days(3),
    body=_html("""
Foreign ministers from across the region gather this week, and our correspondents will be
following the talks on trade corridors, energy and the war in Ukraine.

BRICS officials meet to prepare the next summit’s agenda, with payment systems and the terms
for partner countries expected to dominate.

Gas negotiators from Moscow and Beijing are due to meet again. Expect warm words; do not
expect a signed contract.

As always, our analysis desk will publish its reading of each meeting as it ends.
"""),
)


ARTICLES = (
    LONG_ANALYSIS,
    BRICS_OP_ED,
    RAIL_FREIGHT_NEWS,
    YUAN_COMMENTARY,
    NORTH_KOREA_ANALYSIS,
    BANGLADESH_COMMENTARY,
    CEASEFIRE_DRAFT,
    WEEK_AHEAD_SCHEDULED,
)
