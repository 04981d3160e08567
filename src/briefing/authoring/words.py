"""The example project's words, in the languages `briefing new` can write them in.

An invented example on a neutral topic: a town council's debate on car-free streets.
Each text has an English and a Dutch version; an edition in another language gets the
English text if it is the default edition, and a gap (listed by `briefing check`) if not.
Template messages use %(name)s placeholders, as in a gettext catalogue. `Words` picks
the texts for the editions chosen.
"""

from __future__ import annotations

from dataclasses import dataclass

from briefing.authoring import yamltext

SPEAKERS = ["lind", "berg", "costa"]  # perspective i gets speaker i % 3's claim
LANGUAGES_WRITTEN = ("en", "nl")  # the languages the example's words exist in

# The invented source, in Markdown: what `briefing new` writes to sources/example.md.
EXAMPLE_SOURCE = """\
# Council debates car-free streets

On Tuesday evening the council of Eastbrook debated a plan to close four streets in the \
old town centre to cars for a trial year, starting next spring.

Councillor Maria Lind, who proposed the plan, said: "Streets without cars are quieter, \
cleaner and safer for children. We want the centre to be a place where people stay, not a \
place they drive through."

Tom Berg, who chairs the association of shopkeepers in the centre, warned that trade could \
suffer. "Many of our customers come by car from the villages around the town. If they \
cannot park near the shops, they will go to the shopping centre by the motorway instead."

Ana Costa, who speaks for a group of residents with disabilities, asked the council to keep \
the centre open to people who cannot walk far. "A car-free street must not become a street \
without us," she said.

The council agreed to hold a public consultation before it votes on the plan in March.
"""

# The data's texts, by key and language.
T: dict[str, dict[str, str]] = {
    "title": {"en": "Car-free streets in Eastbrook",
              "nl": "Autovrije straten in Eastbrook"},
    "subtitle": {"en": "An example briefing: replace it with your own",
                 "nl": "Een voorbeeldbriefing: vervang haar door uw eigen briefing"},
    "organisation": {"en": "Your organisation", "nl": "Uw organisatie"},
    "summary": {"en": "An example of a briefing made with briefing: perspectives on an "
                      "invented council debate, drawn from one invented news report.",
                "nl": "Een voorbeeld van een briefing gemaakt met briefing: perspectieven "
                      "op een verzonnen raadsdebat, op basis van één verzonnen nieuwsbericht."},
    "basis": {"en": "Based on one invented news report, written as an example.",
              "nl": "Gebaseerd op één verzonnen nieuwsbericht, geschreven als voorbeeld."},
    # Perspectives of the default example.
    "liveability.title": {"en": "A quieter, safer centre",
                          "nl": "Een rustiger, veiliger centrum"},
    "liveability.short": {"en": "Liveability", "nl": "Leefbaarheid"},
    "liveability.key_point": {
        "en": "The plan's supporters expect streets without cars to be quieter and safer.",
        "nl": "De voorstanders van het plan verwachten dat straten zonder auto's rustiger "
              "en veiliger zijn."},
    "liveability.summary": {
        "en": "For the councillor who proposed it, the plan is about the centre as a place "
              "to stay: less noise, cleaner air and safer streets for children.",
        "nl": "Voor het raadslid dat het plan indiende, gaat het om het centrum als plek om "
              "te verblijven: minder lawaai, schonere lucht en veiligere straten voor "
              "kinderen."},
    "trade.title": {"en": "Trade in the centre", "nl": "De handel in het centrum"},
    "trade.short": {"en": "Trade", "nl": "Handel"},
    "trade.key_point": {
        "en": "Shopkeepers fear that customers who come by car will shop elsewhere.",
        "nl": "Winkeliers vrezen dat klanten die met de auto komen elders gaan winkelen."},
    "trade.summary": {
        "en": "The shopkeepers' association warns that many customers come by car from the "
              "villages around the town and would go elsewhere if they cannot park nearby.",
        "nl": "De winkeliersvereniging waarschuwt dat veel klanten met de auto uit de "
              "omliggende dorpen komen en elders gaan winkelen als ze niet dichtbij kunnen "
              "parkeren."},
    "access.title": {"en": "Access for everyone", "nl": "Toegang voor iedereen"},
    "access.short": {"en": "Access", "nl": "Toegang"},
    "access.key_point": {
        "en": "Residents with disabilities ask that the centre stay open to those who "
              "cannot walk far.",
        "nl": "Bewoners met een beperking vragen dat het centrum bereikbaar blijft voor wie "
              "niet ver kan lopen."},
    "access.summary": {
        "en": "A group of residents with disabilities does not oppose the plan as such, but "
              "asks the council to keep the centre within reach of people who cannot walk "
              "far.",
        "nl": "Een groep bewoners met een beperking is niet tegen het plan als zodanig, maar "
              "vraagt de raad het centrum bereikbaar te houden voor mensen die niet ver "
              "kunnen lopen."},
    # A perspective named on the command line: its title is the author's, the rest ours.
    "custom.key_point": {"en": "An example key point: replace it with this perspective's.",
                         "nl": "Een voorbeeldkernpunt: vervang het door dat van dit "
                               "perspectief."},
    "custom.summary": {"en": "An example summary: say here, in a few sentences, what this "
                             "perspective holds and who holds it.",
                       "nl": "Een voorbeeldsamenvatting: zeg hier in een paar zinnen wat dit "
                             "perspectief inhoudt en wie het aanhangt."},
    # Actors.
    "courier.name": {"en": "The Eastbrook Courier", "nl": "The Eastbrook Courier"},
    "courier.role": {"en": "local newspaper, publisher of the report",
                     "nl": "lokale krant, uitgever van het bericht"},
    "lind.role": {"en": "councillor who proposed the plan",
                  "nl": "raadslid dat het plan indiende"},
    "berg.role": {"en": "chair of the shopkeepers' association",
                  "nl": "voorzitter van de winkeliersvereniging"},
    "costa.role": {"en": "spokesperson of a group of residents with disabilities",
                   "nl": "woordvoerder van een groep bewoners met een beperking"},
    # Claims: one per speaker, and one background fact.
    "plan.statement": {
        "en": "The council debated a plan to close four streets of the old centre to cars "
              "for a trial year.",
        "nl": "De raad besprak een plan om vier straten in het oude centrum een proefjaar "
              "lang af te sluiten voor auto's."},
    "lind.statement": {
        "en": "The plan's proposer argued that streets without cars are quieter, cleaner "
              "and safer for children.",
        "nl": "De indiener van het plan betoogde dat straten zonder auto's rustiger, schoner "
              "en veiliger voor kinderen zijn."},
    "lind.quote": {"en": "Streets without cars are quieter, cleaner and safer for children.",
                   "nl": "Straten zonder auto's zijn rustiger, schoner en veiliger voor "
                         "kinderen."},
    "berg.statement": {
        "en": "The shopkeepers expected customers who cannot park nearby to shop elsewhere.",
        "nl": "De winkeliers verwachtten dat klanten die niet dichtbij kunnen parkeren "
              "elders gaan winkelen."},
    "berg.quote": {"en": "they will go to the shopping centre by the motorway instead",
                   "nl": "dan gaan ze in plaats daarvan naar het winkelcentrum aan de "
                         "snelweg"},
    "costa.statement": {
        "en": "Residents with disabilities asked the council to keep the centre open to "
              "people who cannot walk far.",
        "nl": "Bewoners met een beperking vroegen de raad het centrum bereikbaar te houden "
              "voor mensen die niet ver kunnen lopen."},
    "costa.quote": {"en": "A car-free street must not become a street without us",
                    "nl": "Een autovrije straat mag geen straat zonder ons worden"},
    "relation.note": {"en": "Fewer customers would undo a livelier centre.",
                      "nl": "Minder klanten zouden een levendiger centrum tenietdoen."},
    # The analysis.
    "key.title": {"en": "Where the readings meet", "nl": "Waar de lezingen elkaar raken"},
    "key.text": {
        "en": "All sides want a centre people visit; they differ on whether cars keep "
              "them away or bring them in.",
        "nl": "Alle partijen willen een centrum waar mensen komen; ze verschillen over de "
              "vraag of auto's hen wegjagen of juist aanvoeren."},
    "conflict.title": {"en": "Where they conflict", "nl": "Waar ze botsen"},
    "conflict.text": {
        "en": "The shopkeepers' fear attacks the liveability case: fewer customers would "
              "undo a livelier centre.",
        "nl": "De vrees van de winkeliers bestrijdt het argument van leefbaarheid: minder "
              "klanten zouden een levendiger centrum tenietdoen."},
    "access.key.title": {"en": "Who must not be left out", "nl": "Wie niet buitengesloten mag "
                                                                   "worden"},
    "access.key.text": {
        "en": "People who cannot walk far need a way into the centre in any version of the "
              "plan.",
        "nl": "Mensen die niet ver kunnen lopen, hebben in elke versie van het plan een weg "
              "naar het centrum nodig."},
    "decide.title": {"en": "What to decide", "nl": "Wat te beslissen"},
    "decide.text": {
        "en": "A trial year lets the council measure the effects before it decides; the "
              "report gives no figures yet.",
        "nl": "Een proefjaar laat de raad de effecten meten voordat hij beslist; het "
              "bericht geeft nog geen cijfers."},
    "confidence.reason": {
        "en": "One invented news report is all the evidence; the speakers it quotes disagree.",
        "nl": "Eén verzonnen nieuwsbericht is al het bewijs; de sprekers die het citeert, "
              "zijn het oneens."},
    "timeline.when": {"en": "Next spring", "nl": "Komend voorjaar"},
    "timeline.text": {"en": "The trial year of four car-free streets would begin.",
                      "nl": "Het proefjaar met vier autovrije straten zou beginnen."},
    "dimension.title": {"en": "What the plan does to the centre",
                        "nl": "Wat het plan met het centrum doet"},
    "lind.cell": {"en": "Makes it quieter, cleaner and safer.",
                  "nl": "Maakt het rustiger, schoner en veiliger."},
    "berg.cell": {"en": "Drives away customers who come by car.",
                  "nl": "Jaagt klanten weg die met de auto komen."},
    "costa.cell": {"en": "Must keep it within reach of those who cannot walk far.",
                   "nl": "Moet het bereikbaar houden voor wie niet ver kan lopen."},
    "question": {"en": "How can a trial keep the centre within reach for customers from the "
                       "villages and for people who cannot walk far?",
                 "nl": "Hoe kan een proef het centrum bereikbaar houden voor klanten uit de "
                       "dorpen en voor mensen die niet ver kunnen lopen?"},
    "term": {"en": "Trial year", "nl": "Proefjaar"},
    "definition": {"en": "A year in which a measure applies before the council decides "
                         "whether to keep it.",
                   "nl": "Een jaar waarin een maatregel geldt voordat de raad besluit of hij "
                         "blijft."},
}

# The chapters' own words (gettext messages), by key and language.
M: dict[str, dict[str, str]] = {
    "Key points": {"nl": "Kernpunten"},
    "Introduction": {"nl": "Inleiding"},
    "Timeline": {"nl": "Tijdlijn"},
    "What happened when, and the sources that report it": {
        "nl": "Wat er wanneer gebeurde, en de bronnen die het melden"},
    "When": {"nl": "Wanneer"},
    "What happened": {"nl": "Wat er gebeurde"},
    "Sources": {"nl": "Bronnen"},
    "Background": {"nl": "Achtergrond"},
    "background": {
        "en": "The claims below are background: reported facts on which the perspectives "
              "draw, rather than positions of one perspective.",
        "nl": "De beweringen hieronder vormen de achtergrond: gemelde feiten waaruit de "
              "perspectieven putten, geen standpunten van één perspectief."},
    "Voiced by %(holders)s, as reported by %(reporter)s.": {
        "nl": "Verwoord door %(holders)s, zoals weergegeven door %(reporter)s."},
    "Voiced by %(holders)s.": {"nl": "Verwoord door %(holders)s."},
    "Kind of claim: %(kind)s.": {"nl": "Soort bewering: %(kind)s."},
    "The words of %(name)s, not a quotation of %(holders)s.": {
        "nl": "De woorden van %(name)s, geen citaat van %(holders)s."},
    "Comparison": {"nl": "Vergelijking"},
    "comparison": {
        "en": "The table sets the perspectives side by side. Each cell is our summary of "
              "what a perspective says on one question, resting only on its own claims, "
              "whose labels are given in brackets.",
        "nl": "De tabel zet de perspectieven naast elkaar. Elke cel is onze samenvatting van "
              "wat een perspectief over één vraag zegt, en steunt alleen op de eigen "
              "beweringen, waarvan de labels tussen haakjes staan."},
    "The perspectives compared": {"nl": "De perspectieven vergeleken"},
    "Question": {"nl": "Vraag"},
    "Argument map": {"nl": "Argumentkaart"},
    "map": {
        "en": "The map draws every claim that supports, attacks or undercuts another, "
              "grouped and coloured by perspective. Each claim is written out below it.",
        "nl": "De kaart toont elke bewering die een andere steunt, aanvalt of ondermijnt, "
              "gegroepeerd en gekleurd per perspectief. Elke bewering staat eronder "
              "uitgeschreven."},
    "Claims and the relations between them, grouped and coloured by perspective.": {
        "nl": "Beweringen en de verbanden ertussen, gegroepeerd en gekleurd per "
              "perspectief."},
    "The map in words": {"nl": "De kaart in woorden"},
    "map-hint": {
        "en": "Each box of the map is a link to its claim. On a narrow screen the map keeps "
              "its size: scroll it sideways to see all of it.",
        "nl": "Elk vak van de kaart is een link naar zijn bewering. Op een smal scherm houdt "
              "de kaart haar grootte: schuif haar opzij om alles te zien."},
    "Claim": {"nl": "Bewering"},
    "Relation": {"nl": "Relatie"},
    "Bears on": {"nl": "Heeft betrekking op"},
    "The relations the argument map draws": {
        "nl": "De relaties die de argumentkaart tekent"},
    "Questions for policy": {"nl": "Vragen voor beleid"},
    "questions": {
        "en": "**Our analysis.** These questions are the briefing's own reading, not a claim "
              "of the source. Each names the claims it rests on.",
        "nl": "**Onze analyse.** Deze vragen zijn de eigen lezing van de briefing, geen "
              "bewering van de bron. Elke vraag noemt de beweringen waarop ze steunt."},
    "Rests on %(labels)s.": {"nl": "Steunt op %(labels)s."},
    "Glossary": {"nl": "Verklarende woordenlijst"},
    "sources": {
        "en": "The sources this briefing draws on, with the number of paragraphs its claims "
              "can cite. The full references follow.",
        "nl": "De bronnen waarop deze briefing steunt, met het aantal alinea's dat de "
              "beweringen kunnen aanhalen. De volledige verwijzingen volgen."},
    "source": {"en": "**%(title)s** [@%(key)s]: %(n)s numbered paragraphs.",
               "nl": "**%(title)s** [@%(key)s]: %(n)s genummerde alinea's."},
}


# Prose files (chapters/*.md: plain Markdown, no template), by name and language; in a
# briefing with several editions, chapters/NAME.<edition>.md holds each other one's.
PROSE: dict[str, dict[str, str]] = {
    "introduction.md": {
        "en": "This is an example briefing, made by briefing new. It compares perspectives "
              "on an invented council debate, drawn from one invented news report, to show "
              "each part of a briefing once. Replace the source, the claims and these words "
              "with your own.",
        "nl": "Dit is een voorbeeldbriefing, gemaakt door briefing new. Ze vergelijkt "
              "perspectieven op een verzonnen raadsdebat, op basis van één verzonnen "
              "nieuwsbericht, om elk onderdeel van een briefing één keer te tonen. Vervang "
              "de bron, de beweringen en deze woorden door uw eigen."},
    "07-about.md": {
        "en": "# About this briefing {#about}\n\n"
              "This chapter is plain Markdown (chapters/07-about.md): no template and no "
              "data, only your words. Say here how the briefing was made, who wrote it, "
              "and what it leaves out.\n\n"
              "A paragraph may cite a source as in any Pandoc document [@example].",
        "nl": "# Over deze briefing {#about}\n\n"
              "Dit hoofdstuk is gewone Markdown (chapters/07-about.nl.md): geen sjabloon en "
              "geen gegevens, alleen uw woorden. Zeg hier hoe de briefing tot stand kwam, "
              "wie haar schreef en wat ze buiten beschouwing laat.\n\n"
              "Een alinea kan een bron aanhalen zoals in elk Pandoc-document [@example]."},
}


def message(key: str, language: str) -> str | None:
    """A chapter message in a language: the key is the English text unless it says so."""
    texts = M[key]
    if language == "en":
        return texts.get("en", key)
    return texts.get(language)


@dataclass(frozen=True)
class EditionChoice:
    id: str
    language: str  # BCP 47

    @property
    def primary(self) -> str:
        return self.language.split("-")[0].lower()


@dataclass(frozen=True)
class PerspectiveChoice:
    id: str
    title: str | None  # None: one of the example's own


class Words:
    """The example's texts for the chosen editions: the English or Dutch words where they
    exist; the English ones for a default edition in another language; else none (a gap
    `briefing check` lists, counted in `untranslated`)."""

    def __init__(self, editions: list[EditionChoice]):
        self.editions = editions
        self.default = editions[0]
        self.untranslated: dict[str, int] = {}

    def _pick(self, texts: dict[str, str], edition: EditionChoice) -> str | None:
        found = texts.get(edition.primary)
        if found is None and edition == self.default:
            found = texts.get("en")
        if found is None:
            self.untranslated[edition.id] = self.untranslated.get(edition.id, 0) + 1
        return found

    def text(self, key: str) -> dict[str, str]:
        """A data text: edition id -> its words (editions without any are left out)."""
        found = {e.id: self._pick(T[key], e) for e in self.editions}
        return {k: v for k, v in found.items() if v is not None}

    def same(self, value: str) -> dict[str, str]:
        """A text given once (a --title): the same words in every edition, to translate."""
        return {e.id: value for e in self.editions}

    def message(self, key: str, edition: EditionChoice) -> str:
        """A chapter message in the default edition's words (the msgid) or another's."""
        texts = {lang: message(key, lang) for lang in LANGUAGES_WRITTEN}
        return self._pick({k: v for k, v in texts.items() if v is not None}, edition) or ""

    def messages(self) -> list[str]:
        return list(M)

    def quote_translation(self, key: str) -> dict[str, str]:
        """A quote's rendering for each edition in another language than the source's."""
        found = {e.id: self._pick(T[key], e) for e in self.editions if e.primary != "en"}
        return {k: v for k, v in found.items() if v is not None}

    def yaml_text(self, key: str, indent: int) -> str:
        return mapping(self.text(key), indent)

    def toml_lines(self, name: str, texts: dict[str, str]) -> list[str]:
        return [f"{name}.{ident} = {yamltext.quoted(value)}" for ident, value in texts.items()]

    def speaker(self, index: int) -> str:
        return SPEAKERS[index % len(SPEAKERS)]


def mapping(texts: dict[str, str], indent: int) -> str:
    pad = " " * indent
    return "\n" + "\n".join(f"{pad}{k}: {yamltext.quoted(v)}" for k, v in texts.items())
