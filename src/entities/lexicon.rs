//! Short structural word lists that drive detection: connectors inside names, titles and
//! honorifics (person cues), role words that are capitalised but are not names, and the
//! head words of organisation names. Places, given names, nationality and calendar words
//! come from the generated gazetteer instead. All entries are folded (lower case, no accents).

use super::Lang;

/// Lower-case words that may join capitalised words into one name (Bank *of* England,
/// Fédération *de* Russie, Charles *de* Gaulle). Joining also needs a reason (see detect).
pub fn is_connector(w: &str, lang: Lang) -> bool {
    match w {
        "of" | "the" | "and" | "for" | "upon" => lang != Lang::Fr,
        "et" | "sur" | "en" | "l" | "d" => lang == Lang::Fr,
        "de" | "du" | "des" | "la" | "le" | "van" | "von" | "der" | "den" | "bin" | "ben"
        | "ibn" | "al" | "el" | "da" | "di" | "del" | "dos" | "das" | "y" => true,
        _ => false,
    }
}

/// Connectors that sit inside personal names (Charles de Gaulle, Ursula von der Leyen).
pub fn is_name_particle(w: &str) -> bool {
    matches!(
        w,
        "de" | "du"
            | "van"
            | "von"
            | "der"
            | "den"
            | "bin"
            | "ben"
            | "ibn"
            | "al"
            | "el"
            | "da"
            | "di"
            | "del"
            | "dos"
            | "das"
            | "la"
            | "le"
    )
}

/// Lower-case prefixes before a hyphen that belong to the name (al-Assad, ould-Abdallah).
pub fn is_hyphen_particle(w: &str) -> bool {
    matches!(
        w,
        "al" | "el" | "ben" | "bin" | "ibn" | "abu" | "ould" | "ag" | "van" | "von"
    )
}

/// Titles and honorifics: stripped from names and a cue that a person follows.
pub fn is_person_title(w: &str) -> bool {
    matches!(
        w,
        "mr" | "mrs"
            | "ms"
            | "miss"
            | "dr"
            | "prof"
            | "professor"
            | "sir"
            | "dame"
            | "lord"
            | "lady"
            | "president"
            | "presidente"
            | "minister"
            | "ministre"
            | "premier"
            | "prime"
            | "colonel"
            | "col"
            | "general"
            | "gen"
            | "lieutenant"
            | "lt"
            | "captain"
            | "capt"
            | "commander"
            | "major"
            | "sergeant"
            | "sgt"
            | "admiral"
            | "marshal"
            | "senator"
            | "sen"
            | "rep"
            | "representative"
            | "congressman"
            | "congresswoman"
            | "governor"
            | "gov"
            | "mayor"
            | "maire"
            | "king"
            | "queen"
            | "prince"
            | "princess"
            | "roi"
            | "reine"
            | "pope"
            | "pape"
            | "cardinal"
            | "bishop"
            | "archbishop"
            | "rev"
            | "reverend"
            | "sheikh"
            | "emir"
            | "sultan"
            | "chancellor"
            | "chairman"
            | "chairwoman"
            | "secretary"
            | "ambassador"
            | "ambassadeur"
            | "judge"
            | "juge"
            | "coach"
            | "mme"
            | "mlle"
            | "monsieur"
            | "madame"
            | "mademoiselle"
            | "maitre"
            | "docteur"
            | "pr"
            | "mgr"
            | "msgr"
            | "commandant"
            | "capitaine"
            | "marechal"
            | "chancelier"
            | "depute"
            | "senateur"
            | "ayatollah"
            | "imam"
            | "rabbi"
            | "gouverneur"
            | "ministers"
    )
}

/// Capitalised words of offices and institutions that are not names on their own
/// (Foreign Affairs, Heads of State, Gouvernement de la Transition).
pub fn is_role_word(w: &str) -> bool {
    is_person_title(w)
        || matches!(
            w,
            "foreign"
                | "affairs"
                | "affaires"
                | "etrangeres"
                | "exterieures"
                | "interior"
                | "interieur"
                | "defence"
                | "defense"
                | "finance"
                | "finances"
                | "state"
                | "states"
                | "etat"
                | "etats"
                | "government"
                | "gouvernement"
                | "transition"
                | "transitional"
                | "head"
                | "heads"
                | "chef"
                | "chefs"
                | "deputy"
                | "vice"
                | "former"
                | "ancien"
                | "chief"
                | "acting"
                | "interim"
        )
}

/// Head words that make the name they end an organisation (Wagner Group, United Nations).
pub fn is_org_head(w: &str) -> bool {
    matches!(
        w,
        "group"
            | "groupe"
            | "nations"
            | "ministry"
            | "ministere"
            | "union"
            | "agency"
            | "agence"
            | "council"
            | "conseil"
            | "company"
            | "compagnie"
            | "corporation"
            | "corp"
            | "inc"
            | "ltd"
            | "plc"
            | "llc"
            | "bank"
            | "banque"
            | "party"
            | "parti"
            | "army"
            | "armee"
            | "assembly"
            | "assemblee"
            | "parliament"
            | "parlement"
            | "congress"
            | "senate"
            | "senat"
            | "committee"
            | "comite"
            | "commission"
            | "organisation"
            | "organization"
            | "association"
            | "institute"
            | "institut"
            | "university"
            | "universite"
            | "college"
            | "school"
            | "ecole"
            | "court"
            | "tribunal"
            | "police"
            | "forces"
            | "airlines"
            | "airways"
            | "club"
            | "fc"
            | "press"
            | "news"
            | "times"
            | "post"
            | "journal"
            | "office"
            | "department"
            | "departement"
            | "service"
            | "services"
            | "foundation"
            | "fondation"
            | "fund"
            | "fonds"
            | "board"
            | "league"
            | "ligue"
            | "holdings"
            | "bureau"
            | "authority"
            | "autorite"
            | "front"
            | "movement"
            | "mouvement"
            | "alliance"
            | "coalition"
            | "church"
            | "network"
            | "radio"
            | "television"
            | "exchange"
            | "reserve"
            | "motors"
            | "systems"
            | "technologies"
            | "industries"
            | "international"
            | "federation"
            | "tribune"
            | "herald"
            | "gazette"
            | "telegraph"
            | "brigade"
            | "brigades"
            | "commonwealth"
            | "communications"
            | "airport"
            | "daily"
            | "weekly"
            | "magazine"
    )
}

/// Lower-case words right before a name that make it an organisation (the company Wagner).
pub fn is_org_before(w: &str) -> bool {
    matches!(
        w,
        "company"
            | "group"
            | "firm"
            | "agency"
            | "societe"
            | "groupe"
            | "entreprise"
            | "compagnie"
            | "newspaper"
            | "journal"
            | "channel"
            | "club"
            | "team"
            | "bank"
            | "party"
            | "parti"
            | "agence"
            | "broadcaster"
            | "carrier"
            | "insurer"
            | "maker"
    )
}

/// Lower-case words right after a name that make it an organisation (the Wagner group).
pub fn is_org_after(w: &str) -> bool {
    matches!(
        w,
        "group"
            | "groupe"
            | "company"
            | "corporation"
            | "shares"
            | "stock"
            | "spokesman"
            | "spokeswoman"
            | "officials"
            | "executives"
            | "party"
    )
}

/// Prepositions right before a name that hint at a place (in Bamako, à Moscou).
pub fn is_place_before(w: &str) -> bool {
    matches!(
        w,
        "in" | "at"
            | "from"
            | "near"
            | "outside"
            | "across"
            | "a"
            | "au"
            | "aux"
            | "en"
            | "vers"
            | "dans"
            | "visit"
            | "visited"
            | "capital"
    )
}

/// Definite articles between a place preposition and a name (in the Alps, dans la Beauce).
pub fn is_definite_article(w: &str) -> bool {
    matches!(w, "the" | "le" | "la" | "les")
}

/// Verbs right after a name that hint at a person (Lavrov said).
pub fn is_person_after(w: &str) -> bool {
    matches!(
        w,
        "said"
            | "says"
            | "told"
            | "added"
            | "wrote"
            | "asked"
            | "declared"
            | "believes"
            | "thinks"
            | "explained"
            | "recalled"
            | "dit"
            | "declare"
            | "estime"
            | "who"
    )
}

/// Compass words: a place on their own (the West), nationality words with a suffix
/// (Western, Westerners).
pub fn compass(w: &str) -> Option<&'static str> {
    const WORDS: [&str; 8] = [
        "north", "south", "east", "west", "nord", "sud", "est", "ouest",
    ];
    WORDS.iter().copied().find(|c| w.starts_with(c))
}

/// Abbreviations after which a full stop does not end the sentence.
pub fn is_abbreviation(w: &str) -> bool {
    w.chars().count() == 1
        || matches!(
            w,
            "mr" | "mrs"
                | "ms"
                | "dr"
                | "prof"
                | "st"
                | "gen"
                | "col"
                | "lt"
                | "sgt"
                | "sen"
                | "rep"
                | "gov"
                | "mme"
                | "mlle"
                | "pr"
                | "jr"
                | "sr"
                | "inc"
                | "co"
                | "corp"
                | "ltd"
                | "no"
                | "vs"
                | "capt"
                | "mgr"
                | "msgr"
                | "rev"
                | "cmdr"
                | "adm"
        )
}
