"""Word lists the intent reader leans on: which words are verbs, states, places, and how verbs inflect."""

from __future__ import annotations


def words(text: str) -> list[str]:
    """A word list written as one string, split on whitespace ("a b c" -> ["a", "b", "c"])."""
    return text.split()


def phrases(text: str) -> list[str]:
    """A list of short phrases written as one string separated by "|"."""
    return [p.strip() for p in text.split("|") if p.strip()]


VERBS = frozenset(
    words("""
    accept ace achieve adapt adjust allow appreciate ask be become begin believe boost breathe bring build calm
    care celebrate centre center change choose clear close come concentrate connect cool cope create cry deal
    decompress detach do drift drop ease embrace end energise energize enjoy face fall feel find finish focus
    forgive free gather get give go ground grow handle have heal hear help hold honour honor improve keep land
    laugh learn leave let lift listen live look love lower make manage meet move nail notice nurture open
    overcome pass pause perform plan practice practise prepare process protect quiet quieten quit recharge
    reconnect recover reduce refocus relax release remember reset rest restore return see settle show silence
    sing sit sleep slow smile soften soothe speak stand start stay step stop study surrender switch take talk tackle
    think trust try turn unwind wake walk welcome wind work write
    """)
)

ADJECTIVES = frozenset(
    words("""
    alert alive balanced brave calm calmer capable centred centered clear clearer comfortable confident content
    creative energetic energised energized focused focussed free fresh grateful grounded happy happier healthy
    hopeful inspired joyful kind kinder light lighter loved lovable motivated open optimistic patient peaceful
    positive present prepared productive ready refreshed relaxed resilient rested safe secure serene settled
    sleepy steady stronger strong sure worthy awake energetic enough
    """)
)

NEGATIVE_STATES = frozenset(
    words("""
    anxious nervous stressed overwhelmed sad tired exhausted angry low down lost stuck restless scattered tense
    worried scared afraid lonely drained frustrated unmotivated insecure upset burnt burned empty numb hopeless
    panicky irritable heavy sluggish wired jittery flat hurt heartbroken grieving sore sick
    """)
)

NEGATIVE_NOUNS = frozenset(
    words("""
    anxiety stress worry worries tension anger panic overthinking insomnia nerves fear fears pain grief sadness
    frustration burnout overwhelm loneliness heartbreak jealousy resentment doubt doubts rumination shame guilt
    irritability restlessness exhaustion fatigue nervousness dread
    """)
)

NOT_GERUNDS = frozenset(
    words("""
    morning evening something nothing anything everything spring thing things king ring sing bring wing sting
    swing string ceiling during pudding wedding building meeting feelings morning's evening's ending darling
    """)
)

STOPWORDS = frozenset(
    words("""
    a an the and or but so to of for in on at by with from about into before after during my your our me you i
    it its this that these those be am is are was were been being do does did have has had can could will would
    should may might must more less very really just some any all up down out over again feel find make room
    let get go through ease
    """)
)

# Irregular or tricky inflections: base -> gerund, and gerund -> base.
GERUNDS = {
    "be": "being",
    "see": "seeing",
    "begin": "beginning",
    "forget": "forgetting",
    "regret": "regretting",
    "commit": "committing",
    "admit": "admitting",
    "permit": "permitting",
    "occur": "occurring",
    "prefer": "preferring",
    "control": "controlling",
    "quit": "quitting",
    "lie": "lying",
    "die": "dying",
    "tie": "tying",
}
BASES = {
    "adding": "add",
    "being": "be",
    "breathing": "breathe",
    "bathing": "bathe",
    "changing": "change",
    "challenging": "challenge",
    "arranging": "arrange",
    "creating": "create",
    "eating": "eat",
    "treating": "treat",
    "repeating": "repeat",
    "beating": "beat",
    "heating": "heat",
    "sweating": "sweat",
    "floating": "float",
    "focusing": "focus",
    "focussing": "focus",
    "pouring": "pour",
    "honoring": "honor",
    "honouring": "honour",
    "anchoring": "anchor",
    "savoring": "savor",
    "savouring": "savour",
    "completing": "complete",
    "competing": "compete",
    "exciting": "excite",
    "inviting": "invite",
    "uniting": "unite",
    "developing": "develop",
    "visiting": "visit",
    "lying": "lie",
    "dying": "die",
    "tying": "tie",
    "seeing": "see",
    "going": "go",
    "doing": "do",
    "journaling": "journal",
    "journalling": "journal",
    "reasoning": "reason",
    "guiding": "guide",
    "living": "live",
}

EVENTS = frozenset(
    words(
        "interview exam exams test presentation speech meeting audition competition race match game pitch talk "
        "recital wedding performance date concert show appointment surgery operation flight trip"
    )
)

FOCUS_THEMES = {
    "gratitude": "gratitude",
    "sleep": "sleep",
    "self_compassion": "self_compassion",
    "energy": "energy",
    "focus": "focus",
}

PLACE_PREPOSITIONS = frozenset(
    words("at in on by under inside outside near beside next from aboard up down behind around somewhere")
)
ON_PLACES = frozenset(
    words(
        "train bus plane flight sofa couch floor balcony boat beach terrace porch bench mat cushion lawn grass "
        "roof rooftop deck hill walk commute break"
    )
)
AT_PLACES = frozenset(
    words(
        "desk office gym table station airport window work home school church library cafe café studio beach-house stop"
    )
)

HEAD_NOUNS = {
    "calm": "Calm",
    "relax": "Calm",
    "unwind": "Calm",
    "settle": "Calm",
    "soothe": "Calm",
    "breathe": "Calm",
    "quiet": "Calm",
    "sleep": "Rest",
    "rest": "Rest",
    "focus": "Focus",
    "concentrate": "Focus",
    "study": "Focus",
    "prepare": "Getting Ready",
    "recover": "Recovery",
    "recharge": "Energy",
    "energise": "Energy",
    "energize": "Energy",
    "release": "Letting Go",
    "decompress": "Letting Go",
    "ground": "Grounding",
}

KNOWN_WORDS = (
    VERBS
    | ADJECTIVES
    | NEGATIVE_STATES
    | NEGATIVE_NOUNS
    | STOPWORDS
    | frozenset(
        words("""
        better deeper inner deep sleep confidence energy focus peace calm clarity balance gratitude self
        self-love self-compassion love kindness patience courage strength motivation joy rest work morning
        evening night day week today tonight tomorrow not never how help please something new old little bit
        less lot big small good bad quiet stillness presence space time
        """)
    )
)
